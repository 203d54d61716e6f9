//! The TUI on a 1k, 10k and 100k-service estate with the ten-reboot plan:
//! opening it (the first assessment), drawing the main screen into a
//! `TestBackend`, and a keystroke that marks one more service (the update
//! that reassesses, then the frame after it).

mod common;

use blastradius::checklist::RuleSet;
use blastradius::plan::Action as Change;
use blastradius::tui::action::Action;
use blastradius::tui::app::{App, Source};
use blastradius::tui::persist::Autosave;
use blastradius::tui::theme::Theme;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;

/// An ordinary terminal: larger than the 80x24 minimum, as in a meeting.
const SIZE: (u16, u16) = (160, 48);

fn app(e: &common::Estate) -> App {
    let mut app = App::new(
        e.topo.clone(),
        Source::default(),
        e.plan.clone(),
        RuleSet::defaults(),
        common::TODAY,
        Autosave::Off("benchmark".into()),
        Theme::new(true, false),
    );
    app.update(Action::Resize(SIZE.0, SIZE.1));
    // The list cursor on a service the plan does not change, so that each
    // mark adds an eleventh change and the next removes it.
    while app
        .focused_service()
        .is_some_and(|id| e.changes.iter().any(|&(c, _)| c == id))
    {
        app.update(Action::Down);
    }
    app
}

fn terminal() -> Terminal<TestBackend> {
    Terminal::new(TestBackend::new(SIZE.0, SIZE.1)).expect("a test backend")
}

fn tui(c: &mut Criterion) {
    let estates: Vec<common::Estate> = common::SIZES.into_iter().map(common::estate).collect();

    let mut group = c.benchmark_group("tui open (App::new)");
    for e in &estates {
        common::size_group(&mut group, e.services);
        group.bench_with_input(common::label(e.services), e, |b, e| {
            b.iter_batched(
                || (e.topo.clone(), e.plan.clone()),
                |(topo, plan)| {
                    App::new(
                        topo,
                        Source::default(),
                        plan,
                        RuleSet::defaults(),
                        common::TODAY,
                        Autosave::Off("benchmark".into()),
                        Theme::new(true, false),
                    )
                },
                BatchSize::PerIteration,
            );
        });
    }
    group.finish();

    let mut group = c.benchmark_group("tui frame (main screen)");
    for e in &estates {
        let app = app(e);
        let mut term = terminal();
        common::size_group(&mut group, e.services);
        group.bench_function(common::label(e.services), |b| {
            b.iter(|| {
                // A fresh buffer each time, as for the first frame.
                term.clear().expect("test backend");
                term.draw(|f| f.render_widget(black_box(&app), f.area()))
                    .expect("test backend");
            });
        });
    }
    group.finish();

    let mut group = c.benchmark_group("tui keystroke (mark + reassess)");
    for e in &estates {
        let mut app = app(e);
        common::size_group(&mut group, e.services);
        group.bench_function(common::label(e.services), |b| {
            b.iter(|| app.update(black_box(Action::Mark(Change::Reboot))));
        });
    }
    group.finish();

    let mut group = c.benchmark_group("tui keystroke to frame");
    for e in &estates {
        let mut app = app(e);
        let mut term = terminal();
        term.draw(|f| f.render_widget(&app, f.area()))
            .expect("test backend");
        common::size_group(&mut group, e.services);
        group.bench_function(common::label(e.services), |b| {
            b.iter(|| {
                app.update(black_box(Action::Mark(Change::Reboot)));
                term.draw(|f| f.render_widget(&app, f.area()))
                    .expect("test backend");
            });
        });
    }
    group.finish();
}

criterion_group!(benches, tui);
criterion_main!(benches);
