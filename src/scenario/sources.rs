//! The files a scenario is made of: the scenario file and the system files it names (and
//! theirs), merged into one [`Scenario`], remembering which file wrote each part so that a
//! problem of the merged scenario is located in the file that holds it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use super::compose::route_compose_links;
use super::model::{Scenario, SystemFile, SystemRef};
use super::validate::{KeyPath, Seg};

/// The largest system file read (a guard against `/dev/zero`-like paths).
const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// One file read: its name as problems show it, its text, and the folder its relative paths
/// resolve from (as shown: relative when the file's name is).
pub(super) struct Source {
    /// The file, as named in problems.
    pub file: PathBuf,
    /// Its text.
    pub text: String,
    /// Its root: its folder, or the `root` it names.
    pub root: PathBuf,
}

/// A problem found while reading the files: in which file, at which key path (or span).
pub(super) struct Found {
    /// The index of the file in [`Origins::sources`].
    pub source: usize,
    /// Where in it.
    pub at: Place,
    /// What is wrong.
    pub message: String,
}

/// Where a problem is inside one file.
pub(super) enum Place {
    /// A key path in the document.
    Path(KeyPath),
    /// A byte span (serde's own errors).
    Span(Option<std::ops::Range<usize>>),
}

/// The merged scenario's parts, by the file that wrote them.
#[derive(Default)]
pub(super) struct Origins {
    /// Every file read; the scenario file first.
    pub sources: Vec<Source>,
    services: BTreeMap<String, usize>,
    links: BTreeMap<String, usize>,
    /// For each steady-state check of the merged scenario: its file and its index there.
    steady: Vec<(usize, usize)>,
    /// Each Compose file read, with the names of the services it gave.
    compose: Vec<(PathBuf, BTreeSet<String>)>,
    /// What was read but not taken (Compose keys, links that bypass the proxy).
    pub warnings: Vec<super::load::Problem>,
}

/// Turns a file's text (the file, its index) into a [`SystemFile`], or its problems.
pub(super) type Reader = dyn Fn(&Source, usize) -> Result<SystemFile, Vec<Found>>;

/// A system read from one file (or a Compose file), with its file and root.
struct Part {
    source: usize,
    root: PathBuf,
    system: SystemFile,
}

impl Origins {
    /// Adds a file; its index.
    pub fn add(&mut self, file: PathBuf, text: String) -> usize {
        let root = folder(&file);
        self.sources.push(Source { file, text, root });
        self.sources.len() - 1
    }

    /// Sets a file's root from the `root` it names (relative to its folder).
    pub fn set_root(&mut self, source: usize, root: Option<&Path>) {
        if let Some(root) = root {
            let s = &mut self.sources[source];
            s.root = clean(&folder(&s.file).join(root));
        }
    }

    /// The file (index) and key path inside it where the merged scenario's `path` was written.
    pub fn place(&self, path: &KeyPath) -> (usize, KeyPath) {
        let by_name = |names: &BTreeMap<String, usize>, name: &str| names.get(name).copied();
        let found = match path.as_slice() {
            [Seg::Key(k), Seg::Key(name), ..] if k == "services" => by_name(&self.services, name),
            [Seg::Key(k), Seg::Key(name), ..] if k == "links" => by_name(&self.links, name),
            [Seg::Key(k), Seg::Index(i), rest @ ..] if k == "steady_state" => {
                if let Some(&(source, local)) = self.steady.get(*i) {
                    let mut local_path = vec![Seg::Key(k.clone()), Seg::Index(local)];
                    local_path.extend(rest.iter().cloned());
                    return (source, local_path);
                }
                None
            }
            _ => None,
        };
        (found.unwrap_or(0), path.clone())
    }

    /// Reads every system file `scenario` names (and theirs), and merges their services,
    /// links and steady-state checks into it, before its own. `read` turns a file's text into
    /// a [`SystemFile`] (or its problems).
    pub fn merge(&mut self, scenario: &mut Scenario, read: &Reader) -> Result<(), Vec<Found>> {
        let mut problems = Vec::new();
        let mut parts = Vec::new();
        let mut walk = Walk {
            stack: vec![(key(&self.sources[0].file), self.sources[0].file.clone())],
            seen: BTreeSet::new(),
            read,
        };
        walk.systems(self, 0, scenario.system.as_ref(), &mut parts, &mut problems);
        if !problems.is_empty() {
            return Err(problems);
        }
        let own = SystemFile {
            system: None,
            root: None,
            services: std::mem::take(&mut scenario.services),
            links: std::mem::take(&mut scenario.links),
            steady_state: std::mem::take(&mut scenario.steady_state),
        };
        parts.push(Part {
            source: 0,
            root: self.sources[0].root.clone(),
            system: own,
        });
        for part in parts {
            self.take(scenario, part, &mut problems);
        }
        for (file, names) in &self.compose {
            let unrouted =
                route_compose_links(&mut scenario.services, &scenario.links, names, file);
            self.warnings.extend(unrouted);
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    /// Adds one file's parts to the scenario; a name defined before is a problem here.
    fn take(&mut self, scenario: &mut Scenario, part: Part, problems: &mut Vec<Found>) {
        let dir = absolute(&part.root);
        for (name, mut service) in part.system.services {
            service.dir = dir.clone();
            if let Some(twice) = self.twice("services", &self.services, &name, part.source) {
                problems.push(twice);
                continue;
            }
            self.services.insert(name.clone(), part.source);
            scenario.services.insert(name, service);
        }
        for (name, link) in part.system.links {
            if let Some(twice) = self.twice("links", &self.links, &name, part.source) {
                problems.push(twice);
                continue;
            }
            self.links.insert(name.clone(), part.source);
            scenario.links.insert(name, link);
        }
        for (i, check) in part.system.steady_state.into_iter().enumerate() {
            self.steady.push((part.source, i));
            scenario.steady_state.push(check);
        }
    }

    /// A problem when `name` is already among `names`: located at this definition, naming
    /// the first.
    fn twice(
        &self,
        table: &str,
        names: &BTreeMap<String, usize>,
        name: &str,
        source: usize,
    ) -> Option<Found> {
        let first = *names.get(name)?;
        let at = vec![Seg::Key(table.into()), Seg::Key(name.into())];
        let (line, column) = super::load::position(&self.sources[first], &at);
        let what = if table == "services" {
            "service"
        } else {
            "link"
        };
        Some(Found {
            source,
            at: Place::Path(at),
            message: format!(
                "{what} {name:?} is defined twice: here and at {}:{line}:{column}",
                self.sources[first].file.display()
            ),
        })
    }
}

/// The walk through system files: the files being read (to find a cycle: each file's
/// identity and its name as shown), those read already.
struct Walk<'r> {
    stack: Vec<(PathBuf, PathBuf)>,
    seen: BTreeSet<PathBuf>,
    read: &'r Reader,
}

impl Walk<'_> {
    /// Reads the systems `system` (written in file `from`) names, theirs first.
    fn systems(
        &mut self,
        origins: &mut Origins,
        from: usize,
        system: Option<&SystemRef>,
        parts: &mut Vec<Part>,
        problems: &mut Vec<Found>,
    ) {
        let system_key = || vec![Seg::Key("system".into())];
        let refs: Vec<(KeyPath, &PathBuf)> = match system {
            None => Vec::new(),
            Some(SystemRef::File(p)) => vec![(system_key(), p)],
            Some(SystemRef::Files(ps)) => ps
                .iter()
                .enumerate()
                .map(|(i, p)| (vec![Seg::Key("system".into()), Seg::Index(i)], p))
                .collect(),
            Some(SystemRef::Compose { compose }) => {
                let file = clean(&origins.sources[from].root.join(compose));
                match super::compose::read(&file) {
                    Ok(imported) => {
                        let names = imported.services.keys().cloned().collect();
                        origins.compose.push((file.clone(), names));
                        origins.warnings.extend(imported.warnings);
                        let system = SystemFile {
                            system: None,
                            root: None,
                            services: imported.services,
                            links: BTreeMap::new(),
                            steady_state: Vec::new(),
                        };
                        let root = folder(&file);
                        parts.push(Part {
                            source: from,
                            root,
                            system,
                        });
                    }
                    Err(error) => problems.push(Found {
                        source: from,
                        at: Place::Path(vec![
                            Seg::Key("system".into()),
                            Seg::Key("compose".into()),
                        ]),
                        message: format!("in the Compose file: {error}"),
                    }),
                }
                return;
            }
        };
        for (at, path) in refs {
            let file = clean(&origins.sources[from].root.join(path));
            let problem = |message: String| Found {
                source: from,
                at: Place::Path(at.clone()),
                message,
            };
            let id = key(&file);
            if let Some(first) = self.stack.iter().position(|(i, _)| *i == id) {
                let chain: Vec<String> = self.stack[first..]
                    .iter()
                    .map(|(_, shown)| shown)
                    .chain(std::iter::once(&file))
                    .map(|p| p.display().to_string())
                    .collect();
                problems.push(problem(format!(
                    "system file {} includes itself: {}",
                    file.display(),
                    chain.join(" → ")
                )));
                continue;
            }
            if !self.seen.insert(id.clone()) {
                continue; // included twice along different paths: read once
            }
            let text = match read_text(&file) {
                Ok(text) => text,
                Err(e) => {
                    problems.push(problem(format!("system file {}: {e}", file.display())));
                    continue;
                }
            };
            let source = origins.add(file.clone(), text);
            let system = match (self.read)(&origins.sources[source], source) {
                Ok(system) => system,
                Err(found) => {
                    problems.extend(found);
                    continue;
                }
            };
            origins.set_root(source, system.root.as_deref());
            self.stack.push((id, file));
            self.systems(origins, source, system.system.as_ref(), parts, problems);
            self.stack.pop();
            parts.push(Part {
                source,
                root: origins.sources[source].root.clone(),
                system,
            });
        }
    }
}

/// A system file's text: a regular file of at most [`MAX_FILE_BYTES`].
fn read_text(file: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(file).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(format!("larger than {MAX_FILE_BYTES} bytes"));
    }
    std::fs::read_to_string(file).map_err(|e| format!("cannot read: {e}"))
}

/// The folder of a file as named (`.` for a bare name).
pub(super) fn folder(file: &Path) -> PathBuf {
    match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// A path without `.` components (and `a/..` folded where `a` is a plain name).
pub(super) fn clean(path: &Path) -> PathBuf {
    let mut out: Vec<Component<'_>> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    if out.is_empty() {
        return PathBuf::from(".");
    }
    out.iter().collect()
}

/// The path from the filesystem root (the current directory joined when relative).
pub(super) fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).map_or_else(|_| path.to_path_buf(), |p| clean(&p))
}

/// What identifies a file for cycles: its canonical path, else its absolute one.
fn key(file: &Path) -> PathBuf {
    std::fs::canonicalize(file).unwrap_or_else(|_| absolute(file))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_cleaned_and_folders_never_empty() {
        assert_eq!(clean(Path::new("a/./b/../c")), PathBuf::from("a/c"));
        assert_eq!(clean(Path::new("./x")), PathBuf::from("x"));
        assert_eq!(clean(Path::new("../x")), PathBuf::from("../x"));
        assert_eq!(folder(Path::new("x.toml")), PathBuf::from("."));
        assert_eq!(folder(Path::new("s/x.toml")), PathBuf::from("s"));
    }

    #[test]
    fn a_device_is_not_read_as_a_system_file() {
        assert_eq!(
            read_text(Path::new("/dev/zero")).unwrap_err(),
            "not a regular file"
        );
    }
}
