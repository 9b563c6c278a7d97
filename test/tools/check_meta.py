#!/usr/bin/env python3
"""Validate META.json against the PGXN Meta Spec 1.0.0 (the parts calib
uses: required keys and their types, version strings, prereqs, resources)
and against the rest of the tree: the version equals calib.control's
default_version and debian/changelog's, provided files exist, there is an
update path to the version from every older full install script.

Usage: check_meta.py [ROOT]        prints "meta: ok ..." or the problems.
No Debian package validates PGXN metadata (apt-cache search pgxn finds only
pgxnclient, which has no validator), hence this script."""
import json, os, re, sys

root = sys.argv[1] if len(sys.argv) > 1 else '.'
problems = []
def bad(msg): problems.append(msg)

SEMVER = re.compile(r'^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+)?$')
# spec: a version range is "0", a version, or comma-separated "op version"
RANGE = re.compile(r'^\s*(0|(?:(?:==|!=|>=|<=|>|<)\s*)?\d+\.\d+\.\d+(?:-[0-9A-Za-z-]+)?)\s*$')
LICENSES = {'agpl_3', 'apache_1_1', 'apache_2_0', 'artistic_1', 'artistic_2', 'bsd', 'freebsd',
            'gfdl_1_2', 'gfdl_1_3', 'gpl_1', 'gpl_2', 'gpl_3', 'lgpl_2_1', 'lgpl_3_0', 'mit',
            'mozilla_1_0', 'mozilla_1_1', 'openssl', 'perl_5', 'postgresql', 'qpl_1_0', 'ssleay',
            'sun', 'zlib', 'open_source', 'restricted', 'unrestricted', 'unknown'}
PHASES = {'configure', 'build', 'test', 'runtime', 'develop'}
RELATIONS = {'requires', 'recommends', 'suggests', 'conflicts'}
RESOURCES = {'homepage', 'bugtracker', 'repository'}

try:
    with open(os.path.join(root, 'META.json'), encoding='utf-8') as f:
        meta = json.load(f)
except (OSError, ValueError) as e:
    print(f'meta: META.json does not parse: {e}'); sys.exit(1)
if not isinstance(meta, dict):
    print('meta: META.json is not an object'); sys.exit(1)

def nonempty_str(v): return isinstance(v, str) and v.strip() != ''

for key in ('name', 'abstract', 'version', 'maintainer', 'license', 'provides', 'meta-spec'):
    if key not in meta: bad(f'required key "{key}" is missing')

if 'name' in meta and not (nonempty_str(meta['name']) and re.match(r'^[A-Za-z][A-Za-z0-9_-]+$', meta['name'])):
    bad(f'name {meta["name"]!r} is not a PGXN term (2+ chars, letters, digits, - and _)')
if 'abstract' in meta and not nonempty_str(meta['abstract']):
    bad('abstract must be a non-empty string')
if 'description' in meta and not nonempty_str(meta['description']):
    bad('description must be a non-empty string')
if 'version' in meta and not (isinstance(meta['version'], str) and SEMVER.match(meta['version'])):
    bad(f'version {meta.get("version")!r} is not a semantic version')
m = meta.get('maintainer')
if m is not None and not (nonempty_str(m) or (isinstance(m, list) and m and all(nonempty_str(x) for x in m))):
    bad('maintainer must be a string or a non-empty list of strings')
lic = meta.get('license')
if lic is not None:
    if isinstance(lic, str): lics = [lic]
    elif isinstance(lic, list): lics = lic
    elif isinstance(lic, dict): lics = []
    else: lics = None
    if lics is None or (isinstance(lic, (str, list)) and (not lics or any(x not in LICENSES for x in lics))):
        bad(f'license {lic!r} is not one of the spec\'s license strings')
ms = meta.get('meta-spec')
if ms is not None and not (isinstance(ms, dict) and ms.get('version') == '1.0.0'):
    bad('meta-spec must be an object with version "1.0.0"')
if isinstance(ms, dict) and 'url' in ms and not re.match(r'^https?://', str(ms['url'])):
    bad('meta-spec.url must be a URL')

prov = meta.get('provides')
if prov is not None:
    if not (isinstance(prov, dict) and prov):
        bad('provides must be a non-empty object')
    else:
        for ext, p in prov.items():
            if not isinstance(p, dict): bad(f'provides.{ext} must be an object'); continue
            for k in ('file', 'version'):
                if k not in p: bad(f'provides.{ext}.{k} is missing')
            if 'version' in p and not (isinstance(p['version'], str) and SEMVER.match(p['version'])):
                bad(f'provides.{ext}.version {p["version"]!r} is not a semantic version')
            for k in ('file', 'docfile'):
                if k in p and not os.path.isfile(os.path.join(root, str(p[k]))):
                    bad(f'provides.{ext}.{k} {p[k]!r} does not exist')
            if 'abstract' in p and not nonempty_str(p['abstract']):
                bad(f'provides.{ext}.abstract must be a non-empty string')

pre = meta.get('prereqs')
if pre is not None:
    if not isinstance(pre, dict): bad('prereqs must be an object')
    else:
        for phase, rels in pre.items():
            if phase not in PHASES: bad(f'prereqs.{phase} is not a phase'); continue
            if not isinstance(rels, dict): bad(f'prereqs.{phase} must be an object'); continue
            for rel, deps in rels.items():
                if rel not in RELATIONS: bad(f'prereqs.{phase}.{rel} is not a relationship'); continue
                if not isinstance(deps, dict): bad(f'prereqs.{phase}.{rel} must be an object'); continue
                for name, rng in deps.items():
                    if not (isinstance(rng, str) and all(RANGE.match(x) for x in rng.split(','))):
                        bad(f'prereqs.{phase}.{rel}.{name}: {rng!r} is not a version range')
pg = (pre or {}).get('runtime', {}).get('requires', {}).get('PostgreSQL') if isinstance(pre, dict) else None
if pg is None or not re.match(r'^(>=\s*)?15\.0\.0$', str(pg)):
    bad(f'prereqs.runtime.requires.PostgreSQL must be 15.0.0 (calib supports 15 and later), got {pg!r}')

res = meta.get('resources')
if res is None: bad('resources is missing')
elif not isinstance(res, dict) or not res: bad('resources must be a non-empty object')
else:
    for k, v in res.items():
        if k not in RESOURCES and not k.startswith('x_'): bad(f'resources.{k} is not a resource')
        if k == 'homepage' and not re.match(r'^https?://', str(v)): bad('resources.homepage must be a URL')
        if k in ('bugtracker', 'repository'):
            if not isinstance(v, dict) or not any(re.match(r'^(https?|git|mailto):', str(x)) for x in v.values()):
                bad(f'resources.{k} must be an object with a URL')
if 'release_status' in meta and meta['release_status'] not in ('stable', 'testing', 'unstable'):
    bad('release_status must be stable, testing or unstable')
if 'tags' in meta and not (isinstance(meta['tags'], list) and all(nonempty_str(t) and len(t) < 256 for t in meta['tags'])):
    bad('tags must be a list of strings')

# The tree: the version is the same everywhere.
try:
    control = open(os.path.join(root, 'calib.control'), encoding='utf-8').read()
    cv = re.search(r"^default_version\s*=\s*'([^']*)'", control, re.M).group(1)
except (OSError, AttributeError):
    cv = None; bad('calib.control has no default_version')
version = meta.get('version')
if cv is not None and version != cv:
    bad(f'META.json version {version} differs from calib.control default_version {cv}')
if isinstance(prov, dict) and 'calib' in prov and prov['calib'].get('version') != version:
    bad(f'provides.calib.version {prov["calib"].get("version")} differs from version {version}')
if isinstance(prov, dict) and 'calib' not in prov:
    bad('provides has no calib extension')
try:
    first = open(os.path.join(root, 'debian/changelog'), encoding='utf-8').readline()
    dv = re.match(r'^\S+ \(([^)-]+)', first).group(1)
    if dv != version: bad(f'debian/changelog is at {dv}, META.json at {version}')
except (OSError, AttributeError):
    bad('debian/changelog has no version line')
sqldir = os.path.join(root, 'sql')
if os.path.isdir(sqldir) and version:
    full = [m.group(1) for f in os.listdir(sqldir) for m in [re.match(r'^calib--([^-]+)\.sql$', f)] if m]
    for v in full:
        if v != version and not os.path.isfile(os.path.join(sqldir, f'calib--{v}--{version}.sql')):
            bad(f'no update script sql/calib--{v}--{version}.sql from the released {v}')

if problems:
    for p in problems: print(f'meta: {p}')
    sys.exit(1)
print(f'meta: ok: META.json {meta["name"]} {version} (PGXN meta-spec 1.0.0), '
      f'same version in calib.control, provides and debian/changelog')
