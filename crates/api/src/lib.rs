//! The Kubernetes API as data: the resource registry, metadata rules,
//! label and field selectors, and Table printing. Everything here is pure
//! (no I/O), shared by the API server and its clients.

pub mod conversion;
pub mod cron;
pub mod meta;
pub mod quantity;
pub mod registry;
pub mod selectors;
pub mod table;

pub use registry::{RESOURCES, ResourceInfo};
