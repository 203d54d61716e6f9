//! One core session: a topology, a plan, the checklist rules and the
//! reference date, with the standing and the current assessment kept right.
//!
//! The CLI opens one and renders it once; the TUI keeps one and draws it.
//! Nothing outside changes it but its own methods (mark, tick, accept,
//! sign off, set the title or the window, observe...), each of which keeps
//! the review in step with the plan, so the two faces cannot drift and no
//! caller can leave a half-updated state behind.

use crate::analysis::Standing;
use crate::checklist::RuleSet;
use crate::diag::{Diagnostics, Source};
use crate::plan::{self, Accept, Action, Change, Named, Plan, Signoff};
use crate::review::Review;
use crate::topology::{Date, NodeId, Topology};
use std::sync::Arc;
use toml::value::Datetime;

/// A topology, a plan and their review.
pub struct Session {
    /// Shared, so that background work (exposure, live state) can read it
    /// on another thread without a copy of the estate.
    topo: Arc<Topology>,
    plan: Plan,
    rules: RuleSet,
    today: Date,
    /// The walk of the estate with no change: every reassessment walks
    /// only what the plan reaches from it.
    standing: Standing,
    /// The plan's changes resolved against the topology.
    named: Vec<Named>,
    review: Review,
    /// The plan's waves, each reviewed alone, when its changes carry
    /// `wave = N` (DESIGN.md "Waves"); the review's risk is then the worst
    /// wave's.
    waves: Vec<crate::wave_review::WaveReview>,
    /// With live state: the topology as the file has it (the one in use
    /// carries the observed states), what was observed, and the label its
    /// sources use.
    live: Option<LiveState>,
}

/// The live state a session was last told about.
struct LiveState {
    file: Arc<Topology>,
    observations: Arc<crate::live::Observations>,
    label: String,
    diff: Vec<(NodeId, crate::topology::State, crate::topology::State)>,
}

impl Session {
    /// Opens a session; every change of the plan must resolve.
    ///
    /// `source` is the plan's text, so that errors point into it; changes
    /// without a place in it are reported as coming from `origin` (e.g.
    /// "command line").
    ///
    /// # Errors
    /// Every change that names no service, a group, or a selector that
    /// matches nothing, or gives one service two actions.
    pub fn open(
        topo: Topology,
        plan: Plan,
        rules: RuleSet,
        today: Date,
        source: Option<&Source<'_>>,
        origin: &str,
    ) -> Result<Session, Diagnostics> {
        let named = plan::resolve(&topo, &plan.changes, source, origin)?;
        Ok(Session::build(topo, plan, rules, today, named))
    }

    /// Opens a session on a plan that may not fit the topology any more (an
    /// autosave from before the topology was edited): the changes that do
    /// not resolve are dropped from the plan. Returns how many were.
    pub fn open_lenient(
        topo: Topology,
        plan: Plan,
        rules: RuleSet,
        today: Date,
    ) -> (Session, usize) {
        let (plan, named, dropped) = fit(&topo, plan);
        (Session::build(topo, plan, rules, today, named), dropped)
    }

    /// [`Session::open_lenient`], running `side` on the topology on the
    /// other core meanwhile (the TUI sorts its service list there while
    /// the estate is walked).
    pub fn open_lenient_with<R: Send>(
        topo: Topology,
        plan: Plan,
        rules: RuleSet,
        today: Date,
        side: impl FnOnce(&Topology) -> R + Send,
    ) -> (Session, usize, R) {
        let (plan, named, dropped) = fit(&topo, plan);
        let (session, r) = Session::build_with(topo, plan, rules, today, named, side);
        (session, dropped, r)
    }

    fn build(
        topo: Topology,
        plan: Plan,
        rules: RuleSet,
        today: Date,
        named: Vec<Named>,
    ) -> Session {
        Session::build_with(topo, plan, rules, today, named, |_| ()).0
    }

    fn build_with<R: Send>(
        topo: Topology,
        plan: Plan,
        rules: RuleSet,
        today: Date,
        named: Vec<Named>,
        side: impl FnOnce(&Topology) -> R + Send,
    ) -> (Session, R) {
        let (standing, review, r) = std::thread::scope(|s| {
            let other = s.spawn(|| side(&topo));
            let standing = Standing::new(&topo);
            let review = Review::from_standing(&topo, &standing, &plan, &named, &rules, today);
            let r = other
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p));
            (standing, review, r)
        });
        let mut s = Session {
            topo: Arc::new(topo),
            plan,
            rules,
            today,
            standing,
            named,
            review,
            waves: Vec::new(),
            live: None,
        };
        s.rewave();
        (s, r)
    }

    /// Opens a session on changes already resolved against `topo` (the
    /// command line resolves them first, to report errors in place).
    pub fn with_resolved(
        topo: Topology,
        plan: Plan,
        rules: RuleSet,
        today: Date,
        named: Vec<Named>,
    ) -> Session {
        Session::build(topo, plan, rules, today, named)
    }

    /// The parts of a session that is done with: the topology as
    /// assessed, the plan, its review and its waves (the command line
    /// renders them once).
    pub fn into_parts(
        self,
    ) -> (
        Arc<Topology>,
        Plan,
        Review,
        Vec<crate::wave_review::WaveReview>,
    ) {
        (self.topo, self.plan, self.review, self.waves)
    }

    /// The topology assessed.
    pub fn topology(&self) -> &Topology {
        &self.topo
    }

    /// The topology, shared: for work on another thread.
    pub fn topology_shared(&self) -> Arc<Topology> {
        Arc::clone(&self.topo)
    }

    /// The plan, as it would be saved.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// The review of the plan: assessment, checklist, alert plan.
    pub fn review(&self) -> &Review {
        &self.review
    }

    /// The changes the plan names, resolved.
    pub fn named(&self) -> &[Named] {
        &self.named
    }

    /// The day failover tests are dated against when the plan has no start.
    pub fn today(&self) -> Date {
        self.today
    }

    /// A node's status before the change.
    pub fn standing_status(&self, id: NodeId) -> crate::analysis::Status {
        self.standing.status(id)
    }

    /// The action the plan names for `service` by its id, if any (a
    /// selector's changes are not counted here).
    pub fn named_action(&self, service: NodeId) -> Option<Action> {
        self.change_of(service).map(|c| c.action)
    }

    /// The plan's change that names `service` by its id.
    fn change_of(&self, service: NodeId) -> Option<&Change> {
        let id = self.topo.id(service);
        self.plan.changes.iter().find(|c| c.service == id)
    }

    /// Sets the action of one service by its id (`None` takes it out of
    /// the plan), and reassesses.
    pub fn mark(&mut self, service: NodeId, action: Option<Action>) {
        let id = self.topo.id(service).to_string();
        self.plan.set_change(&id, action);
        self.reassess();
    }

    /// Sets the action of many services at once (`None` takes them out),
    /// and reassesses once.
    ///
    /// # Complexity
    /// O(plan changes + services given), then one reassessment.
    pub fn mark_many(&mut self, services: &[NodeId], action: Option<Action>) {
        let mut wanted: std::collections::HashSet<&str> =
            services.iter().map(|&s| self.topo.id(s)).collect();
        match action {
            None => self
                .plan
                .changes
                .retain(|c| !wanted.contains(c.service.as_str())),
            Some(a) => {
                for c in &mut self.plan.changes {
                    if wanted.remove(c.service.as_str()) {
                        c.action = a;
                    }
                }
                for &s in services {
                    let id = self.topo.id(s);
                    if wanted.remove(id) {
                        self.plan.changes.push(Change {
                            service: id.to_string(),
                            action: a,
                            span: None,
                            wave: None,
                        });
                    }
                }
            }
        }
        self.reassess();
    }

    /// Ticks or unticks a checklist item by its id; returns whether it is
    /// now ticked, or `None` for an id the checklist does not have. The
    /// plan records the tick; the checklist shows it.
    pub fn tick(&mut self, item: &str) -> Option<bool> {
        let i = self
            .review
            .checklist
            .items
            .iter()
            .position(|i| i.id == item)?;
        let done = !self.review.checklist.items[i].done;
        self.review.checklist.items[i].done = done;
        if done {
            self.plan.done.push(item.to_string());
        } else {
            self.plan.done.retain(|d| d != item);
        }
        Some(done)
    }

    /// Records an acceptance of the plan's risk.
    pub fn accept(&mut self, accept: Accept) {
        self.plan.accepts.push(accept.clone());
        self.review.accepted.push(accept);
    }

    /// Records a sign-off for the approval record.
    pub fn sign_off(&mut self, signoff: Signoff) {
        self.plan.signoffs.push(signoff);
    }

    /// Sets the plan's title.
    pub fn set_title(&mut self, title: &str) {
        self.plan.title = title.to_string();
        self.reassess();
    }

    /// Sets the plan's window; its start dates the failover tests.
    pub fn set_window(&mut self, start: Option<Datetime>, minutes: Option<u32>) {
        self.plan.start = start;
        self.plan.minutes = minutes;
        self.reassess();
    }

    /// Replaces the whole plan (a restored autosave, a cleared plan): the
    /// changes that do not resolve are dropped; returns how many were.
    pub fn replace_plan(&mut self, plan: Plan) -> usize {
        let (plan, named, dropped) = fit(&self.topo, plan);
        self.plan = plan;
        self.named = named;
        self.rebuild();
        dropped
    }

    /// Replaces the topology (the estate as observed, say): the standing
    /// walk is redone, the plan kept where it still fits; returns how many
    /// changes no longer did and were dropped.
    pub fn replace_topology(&mut self, topo: Topology) -> usize {
        self.topo = Arc::new(topo);
        self.standing = Standing::new(&self.topo);
        let plan = std::mem::take(&mut self.plan);
        self.replace_plan(plan)
    }

    /// The topology as the file has it (before any observed state): what
    /// a refresh of live state observes.
    pub fn file_topology(&self) -> Arc<Topology> {
        match &self.live {
            Some(l) => Arc::clone(&l.file),
            None => Arc::clone(&self.topo),
        }
    }

    /// What live state says now, and since when; `None` without live
    /// state.
    pub fn observations(&self) -> Option<&crate::live::Observations> {
        self.live.as_ref().map(|l| l.observations.as_ref())
    }

    /// Takes in a refresh of live state (DESIGN.md "Live state"): the
    /// observed states stand in for the file's in every rule, the
    /// silences are audited, and the plan is assessed again on that
    /// estate. Each refresh starts from the file's states, so a service
    /// observed down once and up since is up.
    pub fn observe(&mut self, observations: crate::live::Observations, label: &str) {
        let file = match &self.live {
            Some(l) => Arc::clone(&l.file),
            None => Arc::clone(&self.topo),
        };
        let diff = (0..file.services().len())
            .map(|i| file.service_id(i))
            .filter_map(|id| {
                let was = file.as_service(id)?.state;
                let seen = observations.state_of(id)?;
                (seen != was).then_some((id, was, seen))
            })
            .collect();
        let observed = file.with_states(|id| observations.state_of(id));
        self.live = Some(LiveState {
            file,
            observations: Arc::new(observations),
            label: label.to_string(),
            diff,
        });
        self.topo = Arc::new(observed);
        self.standing = Standing::new(&self.topo);
        self.rebuild();
    }

    /// Builds ahead what every reassessment reads and only the first would
    /// otherwise build: the standing estate's loud services (see
    /// `checklist::StandingLoud`). The TUI calls it once its first frame
    /// is drawn, so that the first key costs what every other key does
    /// (half as much again at a million services, without it).
    pub fn prime(&self) {
        let topo = &self.topo;
        let standing = &self.standing;
        standing
            .loud
            .get_or_init(|| crate::checklist::StandingLoud::new(topo, |id| standing.status(id)));
    }

    /// The review of the plan as it is, with the live audit when there is
    /// live state.
    fn rebuild(&mut self) {
        // A session reassessed (the TUI's keys, live observations) keeps
        // the standing estate's loud services once (see
        // `checklist::StandingLoud`); one only opened (`check` without
        // `--live`) never pays for them.
        self.prime();
        let silences = self
            .live
            .as_ref()
            .map(|l| (l.observations.silences.as_slice(), l.label.as_str()));
        self.review = Review::from_standing_live(
            &self.topo,
            &self.standing,
            &self.plan,
            &self.named,
            &self.rules,
            self.today,
            silences,
        );
        if let Some(l) = &self.live {
            self.review.live = Some(Arc::clone(&l.observations));
            self.review.live_diff = l.diff.clone();
        }
        self.rewave();
    }

    /// The plan's waves reviewed, and the review's risk the worst wave's,
    /// once every change has a wave: until then the verdict is the whole
    /// plan at once, never less than it.
    fn rewave(&mut self) {
        self.waves = crate::wave_review::plan_waves(
            &self.topo,
            &self.plan,
            &self.named,
            &self.rules,
            self.today,
        )
        .unwrap_or_default();
        if self.plan.changes.iter().all(|c| c.wave.is_some()) {
            crate::wave_review::apply_worst(&mut self.review, &self.waves);
        }
    }

    /// The plan's waves, each reviewed alone; empty when it has none.
    pub fn waves(&self) -> &[crate::wave_review::WaveReview] {
        &self.waves
    }

    /// The wave the plan puts a service's change in, by its id.
    pub fn wave_of(&self, service: NodeId) -> Option<u32> {
        self.change_of(service).and_then(|c| c.wave)
    }

    /// Moves the change of `service` (by its id) to wave `wave` (`None`:
    /// no wave), and reassesses wave by wave. False when the plan does not
    /// name the service by its id.
    pub fn set_wave(&mut self, service: NodeId, wave: Option<u32>) -> bool {
        let id = self.topo.id(service).to_string();
        let Some(c) = self.plan.changes.iter_mut().find(|c| c.service == id) else {
            return false;
        };
        c.wave = wave;
        self.reassess();
        true
    }

    /// Recomputes the review after the plan changed.
    fn reassess(&mut self) {
        self.named = match plan::resolve(&self.topo, &self.plan.changes, None, "plan") {
            Ok(n) => n,
            Err(_) => {
                // Only a mark over a selector's service could conflict;
                // keep what resolves.
                let (plan, named, _) = fit(&self.topo, std::mem::take(&mut self.plan));
                self.plan = plan;
                named
            }
        };
        self.rebuild();
    }
}

/// The plan with only the changes that resolve on `topo`, those resolved,
/// and how many were dropped. Tries the whole plan first; only when it
/// does not resolve are the changes added one at a time.
fn fit(topo: &Topology, mut plan: Plan) -> (Plan, Vec<Named>, usize) {
    if let Ok(named) = plan::resolve(topo, &plan.changes, None, "plan") {
        return (plan, named, 0);
    }
    let all = std::mem::take(&mut plan.changes);
    let total = all.len();
    for c in all {
        plan.changes.push(c);
        if plan::resolve(topo, &plan.changes, None, "plan").is_err() {
            plan.changes.pop();
        }
    }
    let named = plan::resolve(topo, &plan.changes, None, "plan").unwrap_or_default();
    let dropped = total - plan.changes.len();
    (plan, named, dropped)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> Session {
        let topo = crate::topology::load("web-stack.toml", crate::DEMO_TOPOLOGY).unwrap();
        let plan = Plan::parse("demo.plan.toml", crate::DEMO_PLAN).unwrap();
        Session::open(
            topo,
            plan,
            RuleSet::defaults(),
            Date::parse("2023-06-08").unwrap(),
            None,
            "plan",
        )
        .unwrap()
    }

    #[test]
    fn marking_reassesses_and_unmarking_goes_back() {
        let mut s = demo();
        let before = s.review().assessment.risk;
        let lb = s.topology().lookup("lb-us-1").unwrap();
        s.mark(lb, Some(Action::Reboot));
        assert_eq!(s.named_action(lb), Some(Action::Reboot));
        assert_eq!(s.review().assessment.action(lb), Some(Action::Reboot));
        s.mark(lb, None);
        assert_eq!(s.named_action(lb), None);
        assert_eq!(s.review().assessment.risk, before);
    }

    #[test]
    fn a_tick_is_one_state_seen_by_the_plan_and_the_checklist() {
        let mut s = demo();
        assert_eq!(s.tick("rollback-plan"), Some(true));
        assert!(s.plan().done.contains(&"rollback-plan".to_string()));
        let item = |s: &Session| {
            s.review()
                .checklist
                .items
                .iter()
                .find(|i| i.id == "rollback-plan")
                .unwrap()
                .done
        };
        assert!(item(&s));
        // A reassessment keeps it: the checklist is built from the plan.
        let lb = s.topology().lookup("lb-us-1").unwrap();
        s.mark(lb, Some(Action::Reboot));
        assert!(item(&s));
        assert_eq!(s.tick("rollback-plan"), Some(false));
        assert!(!item(&s));
        assert!(s.plan().done.is_empty());
        assert_eq!(s.tick("no-such-item"), None);
    }

    #[test]
    fn a_lenient_open_keeps_selectors_and_drops_only_what_no_longer_fits() {
        let topo = crate::topology::load("web-stack.toml", crate::DEMO_TOPOLOGY).unwrap();
        let mut plan = Plan::default();
        for (s, a) in [
            ("lb-primary", Action::Reboot),
            ("gone-since", Action::Reboot),
            ("group=db", Action::Update),
            ("kind=nothing-like-it", Action::Update),
        ] {
            plan.changes.push(Change {
                service: s.into(),
                action: a,
                span: None,
                wave: None,
            });
        }
        let (s, dropped) = Session::open_lenient(
            topo,
            plan,
            RuleSet::defaults(),
            Date::parse("2023-06-08").unwrap(),
        );
        assert_eq!(dropped, 2);
        let kept: Vec<&str> = s
            .plan()
            .changes
            .iter()
            .map(|c| c.service.as_str())
            .collect();
        assert_eq!(kept, ["lb-primary", "group=db"]);
        assert_eq!(s.named().len(), 3, "lb-primary and the two db members");
    }

    #[test]
    fn acceptance_and_window_reach_the_review() {
        let mut s = demo();
        s.accept(Accept {
            risk: crate::analysis::Level::Critical,
            who: "R. Ops".into(),
            why: "drained".into(),
            at: None,
        });
        assert_eq!(
            s.review().accepted_level(),
            Some(crate::analysis::Level::Critical)
        );
        assert_eq!(s.plan().accepts.len(), 1);
        s.set_window(None, Some(60));
        assert_eq!(s.plan().minutes, Some(60));
        s.set_title("Kernel update");
        assert_eq!(s.plan().title, "Kernel update");
    }

    #[test]
    fn observed_states_stand_in_for_the_file_and_each_refresh_starts_from_it() {
        use crate::live::{Observation, Observations, Source};
        use crate::topology::State;
        let mut s = demo();
        let lb2 = s.topology().lookup("lb-secondary").unwrap();
        let site = s.topology().lookup("edge-lb").unwrap();
        assert_eq!(s.review().assessment.status(site).as_str(), "down");
        let at = std::time::SystemTime::UNIX_EPOCH;
        let seen = |state| {
            let mut o = Observations::empty(at);
            o.observed.push(Observation {
                service: lb2,
                state,
                source: Source::Probe,
                detail: "connected".into(),
                at,
            });
            o
        };
        // The secondary is back: the seed's plan leaves the pair one up.
        s.observe(seen(State::Up), "service");
        assert_eq!(s.review().assessment.status(site).as_str(), "at-risk");
        assert_eq!(s.review().live_diff, vec![(lb2, State::Down, State::Up)]);
        assert_eq!(
            s.file_topology().as_service(lb2).unwrap().state,
            State::Down
        );
        // A mark keeps the observed estate.
        let us = s.topology().lookup("lb-us-1").unwrap();
        s.mark(us, Some(Action::Reboot));
        assert_eq!(s.review().assessment.status(site).as_str(), "at-risk");
        // The next refresh starts from the file again.
        s.observe(Observations::empty(at), "service");
        assert_eq!(s.review().assessment.status(site).as_str(), "down");
        assert!(s.review().live_diff.is_empty());
    }
}
