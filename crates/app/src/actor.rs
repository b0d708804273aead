//! Who acts: the user, from which address, on which store. The user's data scope (SPEC §1) is
//! looked up once per actor, however many checks ask for it; the audit entry and the workflow
//! history of a change are written through the actor, in the change's transaction.

use crate::AppError;
use jixiao_domain::types::Role;
use jixiao_store::browse::Scope;
use jixiao_store::{Store, StoreError, Tx, audit, history};

/// A logged-in user as the operations see them.
#[derive(Debug, Clone)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub region: String,
    pub roles: Vec<Role>,
    pub unit_id: Option<i64>,
    pub agency_id: Option<i64>,
}

impl User {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Region-wide reading: finance staff, leaders, administrators ([`Role::REGION_READERS`]).
    pub fn sees_region(&self) -> bool {
        Role::any_in(&self.roles, Role::REGION_READERS)
    }

    /// The finance bureau ([`Role::FINANCE`]).
    pub fn is_finance(&self) -> bool {
        Role::any_in(&self.roles, Role::FINANCE)
    }

    /// A budget unit's preparer or approver ([`Role::UNIT`]).
    pub fn is_unit_user(&self) -> bool {
        Role::any_in(&self.roles, Role::UNIT)
    }

    /// The role shown and audited (the first, by SPEC §1 order).
    pub fn main_role(&self) -> Role {
        Role::ALL
            .iter()
            .copied()
            .find(|r| self.roles.contains(r))
            .unwrap_or(Role::Viewer)
    }
}

/// The data a user may see (SPEC §1): the region for finance staff and administrators, the
/// region's approved and published material for leaders (a viewer holding no other region-wide
/// role), the engagements of an evaluator's agency, a unit user's own unit and its sub-units,
/// otherwise nothing.
pub async fn scope_of(store: &Store, user: &User) -> Result<Scope, StoreError> {
    if user.sees_region() {
        let whole = user
            .roles
            .iter()
            .any(|r| *r != Role::Viewer && Role::REGION_READERS.contains(r));
        return Ok(if whole {
            Scope::Region
        } else {
            Scope::Published
        });
    }
    if user.has(Role::Evaluator)
        && let Some(agency) = user.agency_id
    {
        return Ok(Scope::Agency(agency));
    }
    if let Some(unit) = user.unit_id {
        return Ok(Scope::Units(
            jixiao_store::browse::unit_and_descendants(store, unit).await?,
        ));
    }
    Ok(Scope::Nothing)
}

/// The answer for a record the user may not see: "not found" for region-wide readers, and for a
/// scoped user the same 403 whether the record is another unit's or does not exist (SPEC §1).
pub fn hidden(scope: &Scope, what: &str) -> AppError {
    if scope.is_region_wide() {
        AppError::NotFound(what.into())
    } else {
        AppError::Forbidden
    }
}

/// Who acts and from where, for the audit entry.
pub struct Actor<'a> {
    pub store: &'a Store,
    pub user: &'a User,
    pub ip: &'a str,
    scope: tokio::sync::OnceCell<Scope>,
}

impl<'a> Actor<'a> {
    pub fn new(store: &'a Store, user: &'a User, ip: &'a str) -> Actor<'a> {
        Actor {
            store,
            user,
            ip,
            scope: tokio::sync::OnceCell::new(),
        }
    }

    /// The user's data scope, looked up on first use.
    pub async fn scope(&self) -> Result<Scope, AppError> {
        Ok(self
            .scope
            .get_or_try_init(|| scope_of(self.store, self.user))
            .await?
            .clone())
    }

    pub fn is_unit_user(&self) -> bool {
        self.user.is_unit_user()
    }

    pub fn is_finance(&self) -> bool {
        self.user.is_finance()
    }

    /// A unit user may write for units in their scope; finance staff for every unit.
    pub async fn may_write_for_unit(&self, unit_id: i64) -> Result<bool, AppError> {
        if self.is_finance() {
            return Ok(true);
        }
        if !self.is_unit_user() {
            return Ok(false);
        }
        Ok(match self.scope().await? {
            Scope::Units(ids) => ids.contains(&unit_id),
            _ => false,
        })
    }

    /// Whether the user made the last submission of a document (the own-submission rule: one
    /// may not review what one submitted, SPEC §4).
    pub async fn submitted(&self, kind: &str, id: i64) -> Result<bool, AppError> {
        Ok(
            history::last_actor(self.store, kind, id, &["submit", "resubmit"])
                .await?
                .is_some_and(|a| a == self.user.id),
        )
    }

    pub(crate) async fn audit(
        &self,
        tx: &mut Tx,
        action: &str,
        kind: &str,
        id: i64,
        before: &str,
        after: &str,
    ) -> Result<(), AppError> {
        self.audit_ref(tx, action, kind, &id.to_string(), before, after)
            .await
    }

    /// An audit entry for an object named by a code rather than a number (a region).
    pub(crate) async fn audit_ref(
        &self,
        tx: &mut Tx,
        action: &str,
        kind: &str,
        id: &str,
        before: &str,
        after: &str,
    ) -> Result<(), AppError> {
        audit::append(
            tx,
            &audit::Entry {
                user_id: Some(self.user.id),
                username: &self.user.username,
                role: self.user.main_role().code(),
                ip: self.ip,
                action,
                object_kind: kind,
                object_id: id,
                before_json: before,
                after_json: after,
            },
        )
        .await?;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn history(
        &self,
        tx: &mut Tx,
        year: i32,
        kind: &str,
        id: i64,
        from: &str,
        to: &str,
        action: &str,
        opinion: &str,
    ) -> Result<(), AppError> {
        history::record(
            tx,
            &history::NewTransition {
                region: &self.user.region,
                fiscal_year: year,
                doc_kind: kind,
                doc_id: id,
                from_state: from,
                to_state: to,
                action,
                actor_id: Some(self.user.id),
                opinion,
                at: jixiao_store::now(),
            },
        )
        .await?;
        Ok(())
    }
}
