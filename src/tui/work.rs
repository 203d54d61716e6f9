//! Work off the keystroke path: one worker thread that computes the
//! exposure of the latest plan asked for. A keystroke only hands it the
//! plan's assessment and returns; the screen says "computing" until the
//! answer arrives, and an answer to a plan that changed since is dropped.

use crate::analysis::{Assessment, Exposure, exposure};
use crate::topology::Topology;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};

/// A job: the generation it answers, the topology and the assessment.
type Job = (u64, Arc<Topology>, Box<Assessment>);

/// The worker and what it last answered.
pub struct Worker {
    jobs: Sender<Job>,
    answers: Receiver<(u64, Exposure)>,
    /// The generation of the last job sent.
    asked: u64,
    /// The latest answer, with the generation it answers.
    latest: Option<(u64, Exposure)>,
}

/// What the Exposure pane can show.
pub enum Answer<'a> {
    /// Nothing asked yet.
    NotAsked,
    /// Asked; the answer for this plan is not there yet.
    Computing,
    Ready(&'a Exposure),
}

impl Default for Worker {
    fn default() -> Self {
        Worker::new()
    }
}

impl Worker {
    /// Starts the worker thread. It ends when the [`Worker`] is dropped.
    pub fn new() -> Worker {
        let (jobs, inbox) = channel::<Job>();
        let (outbox, answers) = channel();
        std::thread::Builder::new()
            .name("blastradius exposure".into())
            .spawn(move || {
                while let Ok(mut job) = inbox.recv() {
                    // Only the newest plan matters: skip what it replaced.
                    while let Ok(newer) = inbox.try_recv() {
                        job = newer;
                    }
                    let (generation, topo, a) = job;
                    let e = exposure(&topo, &a);
                    if outbox.send((generation, e)).is_err() {
                        return;
                    }
                }
            })
            .expect("a thread for the exposure");
        Worker {
            jobs,
            answers,
            asked: 0,
            latest: None,
        }
    }

    /// Asks for the exposure of `a`; an earlier question is forgotten.
    pub fn ask(&mut self, topo: Arc<Topology>, a: &Assessment) {
        self.asked += 1;
        let _ = self.jobs.send((self.asked, topo, Box::new(a.clone())));
    }

    /// Takes the answers that arrived; true when one of them is for the
    /// latest question (the screen should be drawn again).
    pub fn collect(&mut self) -> bool {
        let mut fresh = false;
        while let Ok((generation, e)) = self.answers.try_recv() {
            if generation == self.asked {
                fresh = true;
            }
            self.latest = Some((generation, e));
        }
        fresh
    }

    /// True while a question has no answer yet.
    pub fn pending(&self) -> bool {
        self.asked > 0 && self.latest.as_ref().is_none_or(|(g, _)| *g != self.asked)
    }

    /// Blocks until the latest question is answered (for tests and the
    /// export, which must not write a record without its exposure).
    pub fn wait(&mut self) {
        while self.pending() {
            match self.answers.recv() {
                Ok((generation, e)) => self.latest = Some((generation, e)),
                Err(_) => return,
            }
        }
    }

    /// The answer for the latest question, if there is one.
    pub fn answer(&self) -> Answer<'_> {
        match &self.latest {
            _ if self.asked == 0 => Answer::NotAsked,
            Some((g, e)) if *g == self.asked => Answer::Ready(e),
            _ => Answer::Computing,
        }
    }
}
