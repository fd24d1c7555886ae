//! A pod's volumes on the node, under `<root>/pods/<uid>/volumes/<plugin>/<name>`
//! as the kubelet lays them out: emptyDir (a directory, or a tmpfs for
//! medium Memory), hostPath (with its type checked), configMap, secret,
//! downwardAPI and projected (files written atomically through a `..data`
//! link, so a reader sees the old or the new set, never half), and
//! persistentVolumeClaim for volumes backed by a node path.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use k8s_openapi::api::core::v1::{
    ConfigMap, KeyToPath, PersistentVolume, PersistentVolumeClaim, Pod, Secret, Volume,
};
use kube::Api;

/// Why a volume cannot be set up; the event says
/// `MountVolume.SetUp failed for volume "<name>" : <message>`.
#[derive(Debug)]
pub struct VolumeError {
    pub volume: String,
    pub message: String,
}

impl std::fmt::Display for VolumeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "MountVolume.SetUp failed for volume {:?} : {}",
            self.volume, self.message
        )
    }
}

/// A prepared volume: where it is on the node, and whether it must be
/// mounted read-only whatever the mount asks.
#[derive(Clone, Debug)]
pub struct Prepared {
    pub path: PathBuf,
    pub read_only: bool,
}

pub fn pod_dir(pods_dir: &Path, uid: &str) -> PathBuf {
    pods_dir.join(uid)
}

/// Sets up (or refreshes) every volume of the pod.
pub async fn prepare(
    client: &kube::Client,
    tokens: &crate::tokens::TokenManager,
    pods_dir: &Path,
    pod: &Pod,
    pod_ip: &str,
    host_ip: &str,
) -> Result<BTreeMap<String, Prepared>, VolumeError> {
    let uid = pod.metadata.uid.clone().unwrap_or_default();
    let namespace = pod.metadata.namespace.clone().unwrap_or_default();
    let base = pod_dir(pods_dir, &uid).join("volumes");
    let mut prepared = BTreeMap::new();
    let fs_group = pod
        .spec
        .as_ref()
        .and_then(|s| s.security_context.as_ref())
        .and_then(|c| c.fs_group)
        .and_then(|g| u32::try_from(g).ok());
    let volumes = pod
        .spec
        .as_ref()
        .and_then(|s| s.volumes.clone())
        .unwrap_or_default();
    for volume in &volumes {
        let fail = |message: String| VolumeError {
            volume: volume.name.clone(),
            message,
        };
        let result = prepare_one(
            client, tokens, &base, &namespace, pod, volume, pod_ip, host_ip,
        )
        .await
        .map_err(fail)?;
        // The pod's fsGroup owns what the pod keeps in its volumes (not the
        // node's own directories). A volume its containers may write is
        // given it once, before they can run: walking a tree a container
        // can change would let it swap in links to the node's files.
        if let Some(group) = fs_group.filter(|_| volume.host_path.is_none()) {
            let path = result.path.clone();
            let read_only = result.read_only;
            let done = base.join(".fs-group").join(&volume.name);
            if read_only || !done.exists() {
                tokio::task::spawn_blocking(move || set_ownership(&path, group, read_only))
                    .await
                    .map_err(|e| fail(e.to_string()))?
                    .map_err(fail)?;
                if !read_only {
                    let mark = || -> std::io::Result<()> {
                        std::fs::create_dir_all(base.join(".fs-group"))?;
                        std::fs::write(&done, b"")
                    };
                    mark().map_err(|e| fail(format!("{}: {e}", done.display())))?;
                }
            }
        }
        prepared.insert(volume.name.clone(), result);
    }
    Ok(prepared)
}

#[allow(clippy::too_many_arguments)]
async fn prepare_one(
    client: &kube::Client,
    tokens: &crate::tokens::TokenManager,
    base: &Path,
    namespace: &str,
    pod: &Pod,
    volume: &Volume,
    pod_ip: &str,
    host_ip: &str,
) -> Result<Prepared, String> {
    let io = |path: &Path, e: std::io::Error| format!("{}: {e}", path.display());
    if let Some(empty) = &volume.empty_dir {
        let dir = base.join("kubernetes.io~empty-dir").join(&volume.name);
        std::fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
        if empty.medium.as_deref() == Some("Memory") {
            mount_tmpfs(&dir, empty.size_limit.as_ref().map(|q| q.0.as_str()))?;
        }
        return Ok(Prepared {
            path: dir,
            read_only: false,
        });
    }
    if let Some(host) = &volume.host_path {
        let path = PathBuf::from(&host.path);
        check_host_path(&path, host.type_.as_deref().unwrap_or(""))?;
        return Ok(Prepared {
            path,
            read_only: false,
        });
    }
    if let Some(source) = &volume.config_map {
        let api: Api<ConfigMap> = Api::namespaced(client.clone(), namespace);
        let dir = base.join("kubernetes.io~configmap").join(&volume.name);
        let files = match api.get_opt(&source.name).await.map_err(|e| e.to_string())? {
            Some(map) => project(
                &config_map_files(&map),
                source.items.as_deref(),
                source.default_mode,
                source.optional == Some(true),
                &format!("configmap {:?}", source.name),
            )?,
            None if source.optional == Some(true) => BTreeMap::new(),
            None => return Err(format!("configmap {:?} not found", source.name)),
        };
        write_atomic(&dir, &files)?;
        return Ok(Prepared {
            path: dir,
            read_only: true,
        });
    }
    if let Some(source) = &volume.secret {
        let name = source.secret_name.clone().unwrap_or_default();
        let api: Api<Secret> = Api::namespaced(client.clone(), namespace);
        let dir = base.join("kubernetes.io~secret").join(&volume.name);
        let files = match api.get_opt(&name).await.map_err(|e| e.to_string())? {
            Some(secret) => project(
                &secret_files(&secret),
                source.items.as_deref(),
                source.default_mode,
                source.optional == Some(true),
                &format!("secret {name:?}"),
            )?,
            None if source.optional == Some(true) => BTreeMap::new(),
            None => return Err(format!("secret {name:?} not found")),
        };
        // Secrets live in memory, never on the node's disk (as upstream).
        in_memory(&dir)?;
        write_atomic(&dir, &files)?;
        return Ok(Prepared {
            path: dir,
            read_only: true,
        });
    }
    if let Some(source) = &volume.downward_api {
        let dir = base.join("kubernetes.io~downward-api").join(&volume.name);
        let mut files = BTreeMap::new();
        for item in source.items.iter().flatten() {
            let value = downward_value(pod, item, pod_ip, host_ip);
            files.insert(
                item.path.clone(),
                (value.into_bytes(), item.mode.or(source.default_mode)),
            );
        }
        write_atomic(&dir, &files)?;
        return Ok(Prepared {
            path: dir,
            read_only: true,
        });
    }
    if let Some(projected) = &volume.projected {
        let dir = base.join("kubernetes.io~projected").join(&volume.name);
        let mut files = BTreeMap::new();
        for source in projected.sources.iter().flatten() {
            if let Some(cm) = &source.config_map {
                let api: Api<ConfigMap> = Api::namespaced(client.clone(), namespace);
                match api.get_opt(&cm.name).await.map_err(|e| e.to_string())? {
                    Some(map) => files.extend(project(
                        &config_map_files(&map),
                        cm.items.as_deref(),
                        projected.default_mode,
                        cm.optional == Some(true),
                        &format!("configmap {:?}", cm.name),
                    )?),
                    None if cm.optional == Some(true) => {}
                    None => return Err(format!("configmap {:?} not found", cm.name)),
                }
            }
            if let Some(secret) = &source.secret {
                let api: Api<Secret> = Api::namespaced(client.clone(), namespace);
                match api.get_opt(&secret.name).await.map_err(|e| e.to_string())? {
                    Some(found) => files.extend(project(
                        &secret_files(&found),
                        secret.items.as_deref(),
                        projected.default_mode,
                        secret.optional == Some(true),
                        &format!("secret {:?}", secret.name),
                    )?),
                    None if secret.optional == Some(true) => {}
                    None => return Err(format!("secret {:?} not found", secret.name)),
                }
            }
            if let Some(downward) = &source.downward_api {
                for item in downward.items.iter().flatten() {
                    let value = downward_value(pod, item, pod_ip, host_ip);
                    files.insert(
                        item.path.clone(),
                        (value.into_bytes(), item.mode.or(projected.default_mode)),
                    );
                }
            }
            if let Some(projection) = &source.service_account_token {
                let token = tokens.token(client, pod, projection).await?;
                files.insert(
                    projection.path.clone(),
                    (token.into_bytes(), projected.default_mode),
                );
            }
        }
        in_memory(&dir)?;
        write_atomic(&dir, &files)?;
        return Ok(Prepared {
            path: dir,
            read_only: true,
        });
    }
    if let Some(claim) = &volume.persistent_volume_claim {
        let claims: Api<PersistentVolumeClaim> = Api::namespaced(client.clone(), namespace);
        let found = claims
            .get_opt(&claim.claim_name)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("persistentvolumeclaim {:?} not found", claim.claim_name))?;
        let volume_name = found
            .spec
            .as_ref()
            .and_then(|s| s.volume_name.clone())
            .filter(|n| !n.is_empty())
            .ok_or_else(|| format!("persistentvolumeclaim {:?} is not bound", claim.claim_name))?;
        let volumes: Api<PersistentVolume> = Api::all(client.clone());
        let pv = volumes
            .get_opt(&volume_name)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("persistentvolume {volume_name:?} not found"))?;
        let spec = pv.spec.unwrap_or_default();
        let path = spec
            .host_path
            .map(|h| h.path)
            .or(spec.local.map(|l| l.path))
            .ok_or_else(|| {
                format!("persistentvolume {volume_name:?} is not backed by a path on this node (hostPath or local)")
            })?;
        let path = PathBuf::from(path);
        std::fs::create_dir_all(&path).map_err(|e| io(&path, e))?;
        return Ok(Prepared {
            path,
            read_only: claim.read_only == Some(true),
        });
    }
    Err("this volume type is not supported by this kubelet".into())
}

fn downward_value(
    pod: &Pod,
    item: &k8s_openapi::api::core::v1::DownwardAPIVolumeFile,
    pod_ip: &str,
    host_ip: &str,
) -> String {
    if let Some(field) = &item.field_ref {
        return crate::env::pod_field(pod, &field.field_path, pod_ip, host_ip).unwrap_or_default();
    }
    if let Some(field) = &item.resource_field_ref {
        let container = pod.spec.as_ref().and_then(|s| {
            s.containers
                .iter()
                .find(|c| Some(&c.name) == field.container_name.as_ref())
                .or(s.containers.first())
        });
        if let Some(container) = container {
            return crate::env::resource_field(
                container,
                &field.resource,
                field.divisor.as_ref().map(|d| d.0.as_str()),
                &BTreeMap::new(),
            )
            .unwrap_or_default();
        }
    }
    String::new()
}

type Files = BTreeMap<String, (Vec<u8>, Option<i32>)>;

fn config_map_files(map: &ConfigMap) -> BTreeMap<String, Vec<u8>> {
    let mut files: BTreeMap<String, Vec<u8>> = map
        .data
        .clone()
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k, v.into_bytes()))
        .collect();
    for (k, v) in map.binary_data.clone().unwrap_or_default() {
        files.insert(k, v.0);
    }
    files
}

fn secret_files(secret: &Secret) -> BTreeMap<String, Vec<u8>> {
    let mut files: BTreeMap<String, Vec<u8>> = secret
        .data
        .clone()
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k, v.0))
        .collect();
    for (k, v) in secret.string_data.clone().unwrap_or_default() {
        files.insert(k, v.into_bytes());
    }
    files
}

/// The files of a ConfigMap or Secret volume: every key, or the items
/// asked for at their paths.
fn project(
    data: &BTreeMap<String, Vec<u8>>,
    items: Option<&[KeyToPath]>,
    default_mode: Option<i32>,
    optional: bool,
    what: &str,
) -> Result<Files, String> {
    let mut files = Files::new();
    match items {
        None | Some([]) => {
            for (key, value) in data {
                files.insert(key.clone(), (value.clone(), default_mode));
            }
        }
        Some(items) => {
            for item in items {
                match data.get(&item.key) {
                    Some(value) => {
                        files.insert(
                            item.path.clone(),
                            (value.clone(), item.mode.or(default_mode)),
                        );
                    }
                    None if optional => {}
                    None => {
                        return Err(format!("configuration of {what} has no key {:?}", item.key));
                    }
                }
            }
        }
    }
    Ok(files)
}

/// Writes `files` under `dir` as the kubelet's atomic writer does: a new
/// timestamped directory, then `..data` pointed at it in one rename, with
/// each top-level name a link through `..data`. Nothing is rewritten when
/// the contents are what `..data` already holds.
fn write_atomic(dir: &Path, files: &Files) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    let io = |path: &Path, e: std::io::Error| format!("{}: {e}", path.display());
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let data_link = dir.join("..data");
    if let Ok(current) = std::fs::read_link(&data_link) {
        let current_dir = dir.join(&current);
        let same = files.iter().all(|(path, (content, _))| {
            std::fs::read(current_dir.join(path)).is_ok_and(|c| &c == content)
        }) && count_files(&current_dir) == files.len();
        if same {
            return Ok(());
        }
    }
    let stamp = k8s_openapi::jiff::Timestamp::now().as_nanosecond();
    let version = format!("..{stamp}");
    let version_dir = dir.join(&version);
    std::fs::create_dir_all(&version_dir).map_err(|e| io(&version_dir, e))?;
    for (path, (content, mode)) in files {
        if path.split('/').any(|part| part == ".." || part.is_empty()) || path.starts_with('/') {
            return Err(format!("invalid path {path:?}"));
        }
        let file = version_dir.join(path);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
        }
        std::fs::write(&file, content).map_err(|e| io(&file, e))?;
        // Permission bits only: no setuid, setgid or sticky bit, whatever
        // the object says.
        let mode = mode.unwrap_or(0o644) as u32 & 0o777;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode))
            .map_err(|e| io(&file, e))?;
    }
    let previous = std::fs::read_link(&data_link).ok();
    let temporary = dir.join("..data_tmp");
    let _ = std::fs::remove_file(&temporary);
    std::os::unix::fs::symlink(&version, &temporary).map_err(|e| io(&temporary, e))?;
    std::fs::rename(&temporary, &data_link).map_err(|e| io(&data_link, e))?;
    let top: std::collections::BTreeSet<&str> =
        files.keys().filter_map(|p| p.split('/').next()).collect();
    for name in &top {
        let link = dir.join(name);
        if std::fs::symlink_metadata(&link).is_err() {
            std::os::unix::fs::symlink(Path::new("..data").join(name), &link)
                .map_err(|e| io(&link, e))?;
        }
    }
    // Links to names the new set no longer has go.
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !name.starts_with("..") && !top.contains(name.as_str()) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    if let Some(previous) = previous {
        let _ = std::fs::remove_dir_all(dir.join(previous));
    }
    Ok(())
}

/// Gives group `group` what is under `dir`, as upstream's volume ownership
/// does for fsGroup: the group owns every file, may read it (and write it
/// unless the volume is read-only), and directories pass the group on
/// (setgid). A tree already the group's (its top and the current data of
/// an atomically written volume) is left alone.
fn set_ownership(dir: &Path, group: u32, read_only: bool) -> Result<(), String> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let owned = |path: &Path| std::fs::metadata(path).is_ok_and(|m| m.gid() == group);
    let data = dir.join("..data");
    if owned(dir) && (!data.exists() || owned(&data)) {
        return Ok(());
    }
    let rw = if read_only { 0o440 } else { 0o660 };
    let mut pending = vec![dir.to_path_buf()];
    while let Some(path) = pending.pop() {
        let meta =
            std::fs::symlink_metadata(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        if meta.file_type().is_symlink() {
            continue;
        }
        std::os::unix::fs::lchown(&path, None, Some(group))
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let mut mode = meta.permissions().mode() | rw;
        if meta.is_dir() {
            mode |= 0o2110;
            let entries =
                std::fs::read_dir(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            pending.extend(entries.flatten().map(|entry| entry.path()));
        }
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode))
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

fn count_files(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| {
            if e.path().is_dir() {
                count_files(&e.path())
            } else {
                1
            }
        })
        .sum()
}

fn check_host_path(path: &Path, kind: &str) -> Result<(), String> {
    use std::os::unix::fs::FileTypeExt;
    let shown = path.display();
    let meta = std::fs::metadata(path);
    match kind {
        "" => Ok(()),
        "DirectoryOrCreate" => {
            if meta.as_ref().is_ok_and(|m| !m.is_dir()) {
                return Err(format!(
                    "hostPath type check failed: {shown} is not a directory"
                ));
            }
            std::fs::create_dir_all(path).map_err(|e| format!("{shown}: {e}"))
        }
        "Directory" => match meta {
            Ok(m) if m.is_dir() => Ok(()),
            _ => Err(format!(
                "hostPath type check failed: {shown} is not a directory"
            )),
        },
        "FileOrCreate" => {
            if meta.as_ref().is_ok_and(|m| !m.is_file()) {
                return Err(format!("hostPath type check failed: {shown} is not a file"));
            }
            if meta.is_err() {
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .map_err(|e| format!("{shown}: {e}"))?;
            }
            Ok(())
        }
        "File" => match meta {
            Ok(m) if m.is_file() => Ok(()),
            _ => Err(format!("hostPath type check failed: {shown} is not a file")),
        },
        "Socket" => match meta {
            Ok(m) if m.file_type().is_socket() => Ok(()),
            _ => Err(format!(
                "hostPath type check failed: {shown} is not a socket file"
            )),
        },
        "CharDevice" => match meta {
            Ok(m) if m.file_type().is_char_device() => Ok(()),
            _ => Err(format!(
                "hostPath type check failed: {shown} is not a character device"
            )),
        },
        "BlockDevice" => match meta {
            Ok(m) if m.file_type().is_block_device() => Ok(()),
            _ => Err(format!(
                "hostPath type check failed: {shown} is not a block device"
            )),
        },
        other => Err(format!("hostPath type {other:?} is not valid")),
    }
}

/// `dir`, created if need be, on a tmpfs of its own.
fn in_memory(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    mount_tmpfs(dir, None)
}

/// The volume plugins whose directories are tmpfs mounts.
const TMPFS_PLUGINS: [&str; 3] = [
    "kubernetes.io~empty-dir",
    "kubernetes.io~secret",
    "kubernetes.io~projected",
];

fn mount_tmpfs(dir: &Path, size_limit: Option<&str>) -> Result<(), String> {
    let mounted = std::fs::read_to_string("/proc/self/mounts").is_ok_and(|mounts| {
        mounts
            .lines()
            .any(|l| l.split(' ').nth(1) == Some(&dir.display().to_string()))
    });
    if mounted {
        return Ok(());
    }
    let mut options = String::from("mode=0777");
    if let Some(bytes) = size_limit.and_then(api::quantity::value) {
        options.push_str(&format!(",size={}", bytes as u64));
    }
    let target = std::ffi::CString::new(dir.display().to_string()).map_err(|e| e.to_string())?;
    let options = std::ffi::CString::new(options).map_err(|e| e.to_string())?;
    // SAFETY: mount(2) with valid C strings.
    let result = unsafe {
        libc::mount(
            c"tmpfs".as_ptr(),
            target.as_ptr(),
            c"tmpfs".as_ptr(),
            0,
            options.as_ptr().cast(),
        )
    };
    if result != 0 {
        return Err(format!(
            "cannot mount a tmpfs at {}: {}",
            dir.display(),
            std::io::Error::last_os_error()
        ));
    }
    Ok(())
}

/// Unmounts the pod's tmpfs volumes and removes its directory.
pub fn clean_up(pods_dir: &Path, uid: &str) {
    let dir = pod_dir(pods_dir, uid);
    for plugin in TMPFS_PLUGINS {
        let Ok(entries) = std::fs::read_dir(dir.join("volumes").join(plugin)) else {
            continue;
        };
        for entry in entries.flatten() {
            if let Ok(target) = std::ffi::CString::new(entry.path().display().to_string()) {
                // SAFETY: umount2(2) with a valid C string; fails harmlessly
                // where nothing is mounted.
                unsafe { libc::umount2(target.as_ptr(), libc::MNT_DETACH) };
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Unmounts every mount at or under `dir`, deepest first; returns those
/// that stay.
pub fn unmount_under(dir: &Path) -> Vec<String> {
    let under = |text: &str| {
        let mut mounts: Vec<PathBuf> = text
            .lines()
            .filter_map(|line| line.split(' ').nth(4))
            .map(|field| PathBuf::from(unescape_mount_path(field)))
            .filter(|point| point.starts_with(dir))
            .collect();
        mounts.sort_by_key(|p| std::cmp::Reverse(p.components().count()));
        mounts
    };
    let read = || std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    for point in under(&read()) {
        if let Ok(target) = std::ffi::CString::new(point.as_os_str().as_encoded_bytes()) {
            // SAFETY: umount2(2) with a valid C string.
            unsafe { libc::umount2(target.as_ptr(), libc::MNT_DETACH) };
        }
    }
    under(&read())
        .into_iter()
        .map(|p| p.display().to_string())
        .collect()
}

/// A path of /proc/self/mountinfo, whose spaces, tabs, newlines and
/// backslashes are written as octal escapes.
fn unescape_mount_path(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\'
            && let Some(code) = field
                .get(i + 1..i + 4)
                .and_then(|o| u8::from_str_radix(o, 8).ok())
        {
            out.push(code);
            i += 4;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mount_paths_unescape() {
        assert_eq!(unescape_mount_path("/a\\040b\\134c"), "/a b\\c");
        assert_eq!(unescape_mount_path("/plain\\"), "/plain\\");
    }

    #[test]
    fn atomic_writes_swap_the_whole_set() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("vol");
        let mut files = Files::new();
        files.insert("a".into(), (b"1".to_vec(), None));
        files.insert("sub/b".into(), (b"2".to_vec(), Some(0o600)));
        write_atomic(&target, &files).unwrap();
        assert_eq!(std::fs::read(target.join("a")).unwrap(), b"1");
        assert_eq!(std::fs::read(target.join("sub/b")).unwrap(), b"2");
        let first = std::fs::read_link(target.join("..data")).unwrap();
        write_atomic(&target, &files).unwrap();
        assert_eq!(
            std::fs::read_link(target.join("..data")).unwrap(),
            first,
            "unchanged contents are not rewritten"
        );
        files.remove("sub/b");
        files.insert("a".into(), (b"3".to_vec(), None));
        write_atomic(&target, &files).unwrap();
        assert_eq!(std::fs::read(target.join("a")).unwrap(), b"3");
        assert!(
            std::fs::symlink_metadata(target.join("sub")).is_err(),
            "a dropped key's link goes"
        );
        assert!(!target.join(&first).exists(), "the old version is removed");
    }

    #[test]
    fn host_path_types_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, "x").unwrap();
        assert!(check_host_path(&file, "File").is_ok());
        assert!(
            check_host_path(&file, "Directory")
                .unwrap_err()
                .contains("is not a directory")
        );
        let created = dir.path().join("new/dir");
        assert!(check_host_path(&created, "DirectoryOrCreate").is_ok());
        assert!(created.is_dir());
        assert!(check_host_path(dir.path(), "Socket").is_err());
    }
}
