//! Orders (CONTRACT §11): a user's purchases, immutable once made, priced in minor units.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::FieldError;
use super::links::{USERS, href};
use crate::violations::Violations;

/// The most items an order holds.
pub const MOST_ITEMS: usize = 50;
/// The largest quantity of one item.
pub const MOST_QUANTITY: u64 = 1000;
/// The largest unit price, in minor units.
pub const MOST_UNIT_PRICE: u64 = 10_000_000;
/// The longest SKU, in characters.
pub const LONGEST_SKU: usize = 64;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub sku: String,
    pub quantity: u64,
    pub unit_price: u64,
}

/// A stored order.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Order {
    pub id: u64,
    pub user_id: u64,
    pub items: Vec<Item>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl Order {
    /// The sum of quantity × unit price: at most 50 × 1000 × 10^7, far inside `u64`.
    pub fn total(&self) -> u64 {
        self.items.iter().map(|i| i.quantity * i.unit_price).sum()
    }

    pub fn view(&self, v: &Violations) -> OrderView<'_> {
        let total = if v.breaks("order-total-of-one-each") {
            self.items.iter().map(|i| i.unit_price).sum()
        } else {
            self.total()
        };
        OrderView {
            id: self.id,
            user_id: self.user_id,
            items: &self.items,
            total,
            created_at: self.created_at,
            links: OrderLinks {
                this: href(v, order_path(self.user_id, self.id)),
                user: href(v, format!("{USERS}/{}", self.user_id)),
            },
        }
    }
}

/// Where a user's orders are served.
pub fn orders_path(user_id: u64) -> String {
    format!("{USERS}/{user_id}/orders")
}

/// Where an order is served.
pub fn order_path(user_id: u64, id: u64) -> String {
    format!("{}/{id}", orders_path(user_id))
}

/// The representation of an order (CONTRACT §11).
#[derive(Serialize)]
pub struct OrderView<'a> {
    pub id: u64,
    pub user_id: u64,
    pub items: &'a [Item],
    pub total: u64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub links: OrderLinks,
}

#[derive(Serialize)]
pub struct OrderLinks {
    #[serde(rename = "self")]
    pub this: String,
    pub user: String,
}

/// A valid `POST /users/{id}/orders` body: its items.
#[derive(Debug)]
pub struct NewOrder {
    pub items: Vec<Item>,
}

impl NewOrder {
    /// Checks every member, so that the problem names each failing field (ORD-02).
    pub fn parse(body: &Value, v: &Violations) -> Result<NewOrder, Vec<FieldError>> {
        let mut errors = Vec::new();
        let Some(members) = body.as_object() else {
            return Err(vec![FieldError::new("body", "must be a JSON object")]);
        };
        unknown(members, &["items"], "", &mut errors);
        let items = match members.get("items") {
            None => {
                errors.push(FieldError::new("items", "is required"));
                Vec::new()
            }
            Some(Value::Array(items)) => {
                let most = if v.breaks("ORD-02") {
                    usize::MAX
                } else {
                    MOST_ITEMS
                };
                if items.is_empty() || items.len() > most {
                    errors.push(FieldError::new(
                        "items",
                        format!("must hold 1 to {MOST_ITEMS} items"),
                    ));
                }
                items
                    .iter()
                    .enumerate()
                    .filter_map(|(i, item)| self::item(item, i, v, &mut errors))
                    .collect()
            }
            Some(_) => {
                errors.push(FieldError::new("items", "must be an array of items"));
                Vec::new()
            }
        };
        if errors.is_empty() {
            Ok(NewOrder { items })
        } else {
            Err(errors)
        }
    }
}

/// Every member of `members` not in `allowed`, named under `prefix`.
fn unknown(
    members: &Map<String, Value>,
    allowed: &[&str],
    prefix: &str,
    errors: &mut Vec<FieldError>,
) {
    for name in members.keys().filter(|k| !allowed.contains(&k.as_str())) {
        errors.push(FieldError::new(
            format!("{prefix}{name}"),
            "is not a member this request accepts",
        ));
    }
}

fn item(raw: &Value, i: usize, v: &Violations, errors: &mut Vec<FieldError>) -> Option<Item> {
    let at = format!("items[{i}]");
    let Some(members) = raw.as_object() else {
        errors.push(FieldError::new(at, "must be an object"));
        return None;
    };
    unknown(
        members,
        &["sku", "quantity", "unit_price"],
        &format!("{at}."),
        errors,
    );
    let mut fail = |member: &str, message: String| {
        errors.push(FieldError::new(format!("{at}.{member}"), message));
    };
    let sku = match members.get("sku").and_then(Value::as_str) {
        Some(sku) if valid_sku(sku) => Some(sku.to_owned()),
        _ => {
            fail(
                "sku",
                format!("must be 1 to {LONGEST_SKU} characters of A-Z, a-z, 0-9, - and _"),
            );
            None
        }
    };
    let least = if v.breaks("order-zero-quantity") {
        0
    } else {
        1
    };
    let quantity = integer(members.get("quantity"), least, MOST_QUANTITY);
    if quantity.is_none() {
        fail(
            "quantity",
            format!("must be an integer from 1 to {MOST_QUANTITY}"),
        );
    }
    let unit_price = integer(members.get("unit_price"), 1, MOST_UNIT_PRICE);
    if unit_price.is_none() {
        fail(
            "unit_price",
            format!("must be an integer from 1 to {MOST_UNIT_PRICE}"),
        );
    }
    Some(Item {
        sku: sku?,
        quantity: quantity?,
        unit_price: unit_price?,
    })
}

fn valid_sku(sku: &str) -> bool {
    (1..=LONGEST_SKU).contains(&sku.chars().count())
        && sku
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// An integer in `least..=most`, however it is written (CONTRACT §1): `3`, `3.0` and `3e0` alike.
fn integer(raw: Option<&Value>, least: u64, most: u64) -> Option<u64> {
    let raw = raw?;
    let whole = raw.as_u64().or_else(|| {
        raw.as_f64()
            .filter(|f| f.fract() == 0.0 && (0.0..=most as f64).contains(f))
            .map(|f| f as u64)
    })?;
    (least..=most).contains(&whole).then_some(whole)
}

/// The page of a user's orders a query asks for (ORD-05): `page` and `page_size` as §7 gives them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrderPaging {
    pub page: u64,
    pub page_size: u64,
}

impl OrderPaging {
    pub fn parse(query: &[(String, String)]) -> Result<OrderPaging, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut read = |name: &str, default: u64, most: u64| {
            let Some((_, raw)) = query.iter().find(|(k, _)| k == name) else {
                return default;
            };
            match super::query::integer(raw).filter(|n| (1..=most).contains(n)) {
                Some(n) => n,
                None => {
                    errors.push(FieldError::new(
                        name,
                        format!("must be an integer from 1 to {most}"),
                    ));
                    default
                }
            }
        };
        let paging = OrderPaging {
            page: read("page", 1, super::query::MOST_PAGE),
            page_size: read("page_size", 20, 100),
        };
        if errors.is_empty() {
            Ok(paging)
        } else {
            Err(errors)
        }
    }

    /// How many orders come before the page; past `u64` it is past every order anyway.
    pub fn offset(self) -> u64 {
        (self.page - 1).saturating_mul(self.page_size)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(body: Value) -> Vec<String> {
        NewOrder::parse(&body, &Violations::default())
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn a_valid_order_at_every_bound_parses() {
        let item = json!({"sku": "A".repeat(64), "quantity": 1000, "unit_price": 10_000_000});
        let body = json!({"items": vec![item; MOST_ITEMS]});
        assert_eq!(fields(body), Vec::<String>::new());
        let written = json!({"items": [{"sku": "a-1_Z", "quantity": 2.0, "unit_price": 1e3}]});
        let order = NewOrder::parse(&written, &Violations::default()).unwrap();
        assert_eq!(order.items[0].quantity, 2);
        assert_eq!(order.items[0].unit_price, 1000);
    }

    #[test]
    fn every_failing_member_is_named_with_its_item() {
        let body = json!({
            "note": "x",
            "items": [
                {"sku": "ok", "quantity": 1, "unit_price": 1},
                {"sku": "", "quantity": 0, "unit_price": 1.5, "discount": 1},
            ]
        });
        assert_eq!(
            fields(body),
            [
                "note",
                "items[1].discount",
                "items[1].sku",
                "items[1].quantity",
                "items[1].unit_price"
            ]
        );
        assert_eq!(fields(json!({"items": []})), ["items"]);
        assert_eq!(fields(json!({})), ["items"]);
        assert_eq!(fields(json!({"items": [1]})), ["items[0]"]);
    }
}
