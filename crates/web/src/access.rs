//! Who may call which route (SPEC §1): one table, built together with the router so that a
//! route cannot exist without its row. The enforcement layer looks the matched route up here;
//! a test walks every row for every role.

use axum::Router;
use axum::http::Method;
use axum::routing::MethodRouter;
use jixiao_domain::types::Role;
use std::sync::Arc;

/// Who may reach a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, without logging in (login page, public portal, assets).
    Public,
    /// Any logged-in user; handlers narrow the data to the user's scope.
    AnyUser,
    /// Logged-in users holding one of these roles.
    Roles(&'static [Role]),
}

impl Access {
    pub fn allows(self, roles: &[Role]) -> bool {
        match self {
            Access::Public | Access::AnyUser => true,
            Access::Roles(allowed) => roles.iter().any(|r| allowed.contains(r)),
        }
    }
}

/// Finance staff and leaders: region-wide reading.
pub const FINANCE_AND_VIEWERS: &[Role] = Role::REGION_READERS;
pub const SYSADMIN: &[Role] = &[Role::Sysadmin];
/// Who may upload forms and lists: finance staff, and unit users for their own unit.
pub const IMPORTERS: &[Role] = &[
    Role::FinanceAdmin,
    Role::Sysadmin,
    Role::UnitPreparer,
    Role::UnitApprover,
];
/// Who proposes and edits projects and drafts targets: units for their own, finance for any.
pub const PROJECT_WRITERS: &[Role] = &[
    Role::FinanceAdmin,
    Role::FinanceDesk,
    Role::UnitPreparer,
    Role::UnitApprover,
];
/// Who moves projects through the library (the domain table says which move is whose).
pub const LIBRARY_ACTORS: &[Role] = &[Role::FinanceAdmin, Role::FinanceDesk, Role::UnitApprover];
/// Who works on reviewed documents (ex-ante assessments, targets): the domain table and the
/// document's scope decide the rest.
pub const DOCUMENT_ACTORS: &[Role] = &[
    Role::FinanceAdmin,
    Role::FinanceDesk,
    Role::UnitPreparer,
    Role::UnitApprover,
    Role::Evaluator,
];
/// Who sets declaration deadlines (申报期限) and the rules of ex-ante assessment: the finance
/// bureau's performance office.
pub const DEADLINE_SETTERS: &[Role] = &[Role::FinanceAdmin];
pub const AUDITORS: &[Role] = &[Role::Sysadmin, Role::FinanceAdmin];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteRow {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
}

/// The route table: every route with its access, as registered.
#[derive(Debug, Clone, Default)]
pub struct Matrix {
    rows: Vec<RouteRow>,
}

impl Matrix {
    pub fn rows(&self) -> &[RouteRow] {
        &self.rows
    }

    pub fn lookup(&self, method: &Method, path: &str) -> Option<Access> {
        // HEAD is answered by GET routes.
        let method = if method == Method::HEAD {
            &Method::GET
        } else {
            method
        };
        self.rows
            .iter()
            .find(|r| r.method == *method && r.path == path)
            .map(|r| r.access)
    }
}

/// Registers routes and their access together.
pub struct Registry<S> {
    router: Router<S>,
    matrix: Matrix,
}

impl<S: Clone + Send + Sync + 'static> Registry<S> {
    pub fn new() -> Self {
        Registry {
            router: Router::new(),
            matrix: Matrix::default(),
        }
    }

    /// Adds one method of one path.
    pub fn add(
        mut self,
        method: Method,
        path: &'static str,
        access: Access,
        handler: MethodRouter<S>,
    ) -> Self {
        self.matrix.rows.push(RouteRow {
            method,
            path,
            access,
        });
        self.router = self.router.route(path, handler);
        self
    }

    pub fn finish(self) -> (Router<S>, Arc<Matrix>) {
        (self.router, Arc::new(self.matrix))
    }
}

impl<S: Clone + Send + Sync + 'static> Default for Registry<S> {
    fn default() -> Self {
        Self::new()
    }
}
