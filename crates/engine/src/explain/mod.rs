//! The demonstrations behind the explainer page (`/`): each module computes
//! one widget's numbers from the engine's real levels and agents.
//!
//! Every function here is pure and deterministic, like the rest of the
//! engine; the server turns the results into JSON (`/api/explain/{name}`)
//! and `loophole explain NAME` prints the same JSON.

pub mod conflict;
pub mod interpret;
pub mod irl;
pub mod oversight;
pub mod robust;
pub mod shallow;
