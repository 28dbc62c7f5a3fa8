//! Route handlers, one module per resource.

pub mod chains;
pub mod deadlines;
pub mod definitions;
pub mod deleted;
pub mod history;
pub mod notify;
pub mod runs;
pub mod system;
pub mod tasks;
pub mod tenant;
