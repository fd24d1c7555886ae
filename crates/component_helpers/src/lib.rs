//! Kubernetes semantics more than one component needs, in one place (as
//! upstream's `k8s.io/component-helpers`): whether a toleration tolerates a
//! taint, whether a node matches a node selector or required node affinity,
//! whether a label selector selects labels, Go's duration syntax, and the
//! FNV hashes names and revisions are made from. The scheduler, the
//! controllers and the API server use these, so they cannot disagree.

pub mod duration;
pub mod hash;
pub mod labels;
pub mod scheduling;
