//! The links of a scenario whose system is a Compose file, routed through the fault proxy:
//! the loader calls this for `system = { compose = "PATH" }` once every file is merged.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::position::locate;
use super::route::route_links;
use crate::scenario::load::Problem;
use crate::scenario::model::{Link, Service};

/// Routes each link whose client is one of `imported` (the services read from the Compose
/// file `compose`) through the link's proxy ([`route_links`]); returns a warning, located at
/// the client in the Compose file, for each such link its client never names.
pub fn route_compose_links(
    services: &mut BTreeMap<String, Service>,
    links: &BTreeMap<String, Link>,
    imported: &BTreeSet<String>,
    compose: &Path,
) -> Vec<Problem> {
    let ours: BTreeMap<String, Link> = links
        .iter()
        .filter(|(_, link)| imported.contains(&link.from))
        .map(|(name, link)| (name.clone(), link.clone()))
        .collect();
    let unrouted = route_links(services, &ours);
    let text = std::fs::read_to_string(compose).unwrap_or_default();
    unrouted
        .into_iter()
        .map(|name| {
            let link = &ours[&name];
            let (line, column) = locate(&text, &["services", &link.from]);
            let port = services.get(&link.to).and_then(|s| s.port);
            let target = port.map_or(format!("{} (which names no port)", link.to), |p| {
                format!("{}:{p}", link.to)
            });
            Problem {
                file: compose.to_path_buf(),
                line,
                column,
                message: format!(
                    "link {name}: {} never names {target} in its environment or command, so its \
                     traffic does not cross the link's proxy",
                    link.from
                ),
            }
        })
        .collect()
}
