//! rudder's scheduler: watches unscheduled pods and binds each to the best
//! node, with kube-scheduler's queue, framework and plugins. An API client
//! like every component: it runs inside `rudder server` or alone as
//! `rudder scheduler --kubeconfig FILE`.

pub mod cache;
pub mod config;
pub mod framework;
pub mod labels;
pub mod metrics;
pub mod node_info;
pub mod plugins;
pub mod preemption;
pub mod queue;
pub mod resources;
mod runner;
pub mod schedule_one;
pub mod serving;
pub mod verdicts;

pub use metrics::Metrics;
pub use runner::{SchedulerOptions, run};
