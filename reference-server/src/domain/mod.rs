//! Input parsed into domain types once, at the edge, so deeper code never sees unvalidated data.

pub mod api_key;
pub mod avatar;
pub mod collection;
pub mod cursor;
pub mod fields;
pub mod input;
pub mod job;
pub mod links;
pub mod order;
pub mod query;
pub mod rules;
pub mod selection;
pub mod user;

pub use collection::{Direction, Filter, Position, Sort, SortKey, SortValue};
pub use cursor::{Cursor, Cursors};
pub use fields::{Age, Email, FieldError, FullName, Password, Role, Username};
pub use input::{Changes, Credentials, SignUp};
pub use order::{NewOrder, Order};
pub use query::{ListQuery, Paging};
pub use selection::Fields;
pub use user::{User, UserView};
