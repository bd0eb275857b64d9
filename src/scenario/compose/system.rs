//! A scenario whose system is a Compose file: the file's services added to the scenario's,
//! and the links between them routed through the fault proxy. The loader calls this for
//! `system = { compose = "PATH" }`.

use std::path::Path;

use super::import::{read, ComposeError};
use super::position::locate;
use super::route::route_links;
use crate::scenario::load::Problem;
use crate::scenario::model::Scenario;

/// `scenario` with the services of the Compose file at `compose` (a service the scenario
/// defines itself keeps the scenario's definition), each link whose client is a Compose
/// service routed through its proxy ([`route_links`]); returns it with the import's warnings,
/// and one for each such link that could not be routed.
pub fn with_compose(
    mut scenario: Scenario,
    compose: &Path,
) -> Result<(Scenario, Vec<Problem>), ComposeError> {
    let imported = read(compose)?;
    let mut warnings = imported.warnings;
    let from_compose: Vec<String> = imported
        .services
        .keys()
        .filter(|name| !scenario.services.contains_key(*name))
        .cloned()
        .collect();
    for (name, service) in imported.services {
        scenario.services.entry(name).or_insert(service);
    }
    let unrouted = route_links(&mut scenario.services, &scenario.links);
    let text = std::fs::read_to_string(compose).unwrap_or_default();
    for name in unrouted {
        let link = &scenario.links[&name];
        if !from_compose.contains(&link.from) {
            continue;
        }
        let (line, column) = locate(&text, &["services", &link.from]);
        let port = scenario.services.get(&link.to).and_then(|s| s.port);
        let target = port.map_or(format!("{} (which names no port)", link.to), |p| {
            format!("{}:{p}", link.to)
        });
        warnings.push(Problem {
            file: compose.to_path_buf(),
            line,
            column,
            message: format!(
                "link {name}: {} never names {target} in its environment or command, so its \
                 traffic does not cross the link's proxy",
                link.from
            ),
        });
    }
    Ok((scenario, warnings))
}
