//! The compiled form of a ruleset: what validation makes of a document and
//! what views are built from. Bundles carry it (`crate::bundle`); only the
//! authoring side (`crate::compile`) makes it from a document.

use crate::condition::{Conditions, NodeId};
use crate::model::RulesetDoc;
use crate::palette::Shortcut;
use crate::path::{Pattern, Router};
use crate::permission::{Grants, Vocabulary};
#[cfg(feature = "authoring")]
use sha2::{Digest, Sha256};

/// Most products, plans, environments, flags, settings or preferences.
pub const MAX_NAMES: usize = 64;
/// Most entries in any other list of a ruleset.
pub const MAX_ENTRIES: usize = 1024;

/// A compiled route.
#[derive(Debug, Clone, crate::wire::Decode)]
#[cfg_attr(feature = "authoring", derive(serde::Serialize))]
pub(crate) struct RouteC {
    pub pattern: Pattern,
    /// The route's own condition and the products whose paths contain it.
    pub gate: Option<NodeId>,
    /// Where the route's link sits in a view's href buffer, if it can be
    /// linked (its only parameter is the workspace slug).
    pub href: Option<HrefSlot>,
}

/// Position of one link in a view's href buffer: `fixed_start +
/// ordinal * slug_len`, `fixed_len + slug_len` bytes long.
#[derive(Debug, Clone, crate::wire::Decode)]
#[cfg_attr(feature = "authoring", derive(serde::Serialize))]
pub(crate) struct HrefSlot {
    pub fixed_start: usize,
    pub fixed_len: usize,
    pub ordinal: usize,
    /// The link's text before and after the slug.
    pub before: String,
    pub after: String,
}

/// A compiled product.
#[derive(Debug, Clone, crate::wire::Decode)]
#[cfg_attr(feature = "authoring", derive(serde::Serialize))]
pub(crate) struct ProductC {
    pub paths: Vec<Pattern>,
    pub fallback: Option<usize>,
}

/// A compiled role.
#[derive(Debug, Clone, crate::wire::Decode)]
#[cfg_attr(feature = "authoring", derive(serde::Serialize))]
pub(crate) struct RoleC {
    pub grants: Grants,
    pub assign: Option<NodeId>,
}

/// A compiled palette entry.
#[derive(Debug, Clone, crate::wire::Decode)]
#[cfg_attr(feature = "authoring", derive(serde::Serialize))]
pub(crate) struct PaletteC {
    pub route: Option<usize>,
    pub gate: Option<NodeId>,
    pub shortcut: Option<Shortcut>,
}

/// A compiled form.
#[derive(Debug, Clone, crate::wire::Decode)]
#[cfg_attr(feature = "authoring", derive(serde::Serialize))]
pub(crate) struct FormC {
    pub gate: Option<NodeId>,
    pub fields: Vec<Option<NodeId>>,
}

/// A compiled API endpoint.
#[derive(Debug, Clone, crate::wire::Decode)]
#[cfg_attr(feature = "authoring", derive(serde::Serialize))]
pub(crate) struct EndpointC {
    pub pattern: Pattern,
    pub gate: Option<NodeId>,
    pub fields: Vec<NodeId>,
    /// The permissions its gate requires whatever else holds (indices into
    /// the conditions' permission leaves): with a record, each must cover
    /// it (SPEC section 11).
    pub record_permissions: Vec<u16>,
    /// Index of the form its body fills, if it names one.
    pub form: Option<usize>,
}

/// A compiled ruleset. Vectors run parallel to the document's lists.
///
/// A bundle carries it as it is (`crate::bundle`), less what is rebuilt
/// from the rest when it is read: the lookup tables (`permission_table`,
/// `router`, `api_router`), the lazily written canonical form and the
/// process-wide instance number.
#[derive(Debug, crate::wire::Decode)]
#[cfg_attr(feature = "authoring", derive(serde::Serialize))]
pub(crate) struct Compiled {
    pub doc: RulesetDoc,
    /// Written on first use (see [`Compiled::canonical`]).
    #[serde(skip)]
    pub canonical: std::sync::OnceLock<String>,
    /// Computed on first use (see [`Compiled::fingerprint`]).
    #[serde(skip)]
    pub fingerprint: std::sync::OnceLock<String>,
    /// The bundle it was read from, or written on first use (see
    /// `Policy::to_bundle`).
    #[serde(skip)]
    pub bundle: std::sync::OnceLock<std::borrow::Cow<'static, [u8]>>,
    pub conditions: Conditions,
    pub vocab: Vocabulary,
    #[serde(skip)]
    pub permission_table: crate::permission::PermissionTable,
    /// Tells this compiled policy apart from every other in the process (for
    /// [`crate::PermissionId`]).
    #[serde(skip)]
    pub instance: u32,
    pub products: Vec<ProductC>,
    pub default_products: u64,
    pub roles: Vec<RoleC>,
    pub routes: Vec<RouteC>,
    pub home: usize,
    #[serde(skip)]
    pub router: Router,
    pub href_fixed_total: usize,
    pub href_count: usize,
    pub nav_routes: Vec<usize>,
    pub palette: Vec<PaletteC>,
    pub features: Vec<NodeId>,
    pub forms: Vec<FormC>,
    pub endpoints: Vec<EndpointC>,
    pub api_fields: Vec<NodeId>,
    #[serde(skip)]
    pub api_router: Router,
    pub sync: Vec<Vec<NodeId>>,
    pub role_change: Option<NodeId>,
}

impl Compiled {
    /// Rebuilds what a bundle leaves out: the permission table (from the
    /// vocabulary), the routers (from the patterns, in the order compiling
    /// inserted them) and the instance number.
    pub fn rebuild(&mut self) {
        self.permission_table = self.vocab.table();
        self.router = Router::default();
        for (i, route) in self.routes.iter().enumerate() {
            self.router.insert(&route.pattern, i);
        }
        self.api_router = Router::default();
        for (i, endpoint) in self.endpoints.iter().enumerate() {
            self.api_router.insert(&endpoint.pattern, i);
        }
        self.instance = next_instance();
    }

    /// The canonical JSON form of the document. Writing it is a sixth of
    /// loading a ruleset, so, like the fingerprint, it waits until someone
    /// asks. The writer refuses only floats and maps whose keys are not
    /// strings, and a document holds neither (its types have no float and
    /// no map), so the empty fallback is never taken.
    pub fn canonical(&self) -> &str {
        self.canonical
            .get_or_init(|| crate::write::to_canonical(&self.doc).unwrap_or_default())
    }

    /// `sha256:` and the hex SHA-256 of the canonical form. Hashing is a
    /// quarter of loading a ruleset, so it waits until someone asks.
    #[cfg(feature = "authoring")]
    pub fn fingerprint(&self) -> &str {
        self.fingerprint.get_or_init(|| {
            let digest = Sha256::digest(self.canonical().as_bytes());
            let mut out = String::with_capacity(7 + 64);
            out.push_str("sha256:");
            for byte in digest {
                out.push(hex_digit(byte >> 4));
                out.push(hex_digit(byte & 15));
            }
            out
        })
    }

    /// The fingerprint its bundle names (the runtime reads nothing else,
    /// and reading a bundle sets it).
    #[cfg(not(feature = "authoring"))]
    pub fn fingerprint(&self) -> &str {
        self.fingerprint.get().map_or("", String::as_str)
    }

    /// Of the endpoints whose pattern matched a path, the one that takes
    /// `method` (any case), as `check_request` and `Policy::endpoint` both
    /// choose it.
    pub fn endpoint_taking(&self, candidates: &[usize], method: &str) -> Option<usize> {
        candidates.iter().copied().find(|&e| {
            self.doc
                .api
                .get(e)
                .is_some_and(|d| d.method.eq_ignore_ascii_case(method))
        })
    }
}

/// A number no other compiled policy of this process has.
pub(crate) fn next_instance() -> u32 {
    // From 1: the WebAssembly boundary answers 0 for "no policy".
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

#[cfg(feature = "authoring")]
fn hex_digit(nibble: u8) -> char {
    char::from_digit(u32::from(nibble), 16).unwrap_or('0')
}
