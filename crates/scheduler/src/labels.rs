//! Label selectors over typed objects, as the scheduler's plugins match
//! pods and namespaces: one home for the rule, in `component_helpers`.

pub use component_helpers::labels::matches;
