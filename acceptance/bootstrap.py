"""Idempotent setup of the acceptance cloud through its own APIs (standard library only).

Usage: python3 bootstrap.py keystone|cinder|nova
Settings come from the environment set by openstack.sh (IBS_* variables).

keystone: projects, users, roles, service users, the catalog (endpoint URLs are updated when
          the ports change), and an application credential for the member user, kept in
          $IBS_RUN/appcred.json (its secret is shown only once, at creation).
cinder:   a multi-attach volume type, and one that no backend serves (for error states).
nova:     a tiny flavor.
"""

import json
import os
import sys
import time
import urllib.error
import urllib.request

E = os.environ
REGION = 'RegionOne'
KEYSTONE = 'http://127.0.0.1:%s/v3' % E['IBS_KEYSTONE_PORT']
ADMIN_PASSWORD = E['IBS_ADMIN_PASSWORD']
SERVICE_PASSWORD = E['IBS_SERVICE_PASSWORD']
MEMBER_PASSWORD = E['IBS_MEMBER_PASSWORD']
RUN = E['IBS_RUN']


def call(method, url, token=None, body=None, ok=(200, 201, 202, 204), headers=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header('Content-Type', 'application/json')
    req.add_header('Accept', 'application/json')
    if token:
        req.add_header('X-Auth-Token', token)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            raw = resp.read()
            return resp.status, (json.loads(raw) if raw else None), resp.headers
    except urllib.error.HTTPError as err:
        raw = err.read()
        if err.code in ok:
            return err.code, (json.loads(raw) if raw else None), err.headers
        raise SystemExit('%s %s -> %s %s' % (method, url, err.code, raw[:500]))


def token(user, password, project, user_domain='Default', project_domain='Default'):
    body = {'auth': {
        'identity': {'methods': ['password'], 'password': {'user': {
            'name': user, 'domain': {'name': user_domain}, 'password': password}}},
        'scope': {'project': {'name': project, 'domain': {'name': project_domain}}}}}
    for attempt in range(60):
        try:
            _, reply, headers = call('POST', KEYSTONE + '/auth/tokens', body=body)
            return headers['X-Subject-Token'], reply['token']
        except (urllib.error.URLError, ConnectionError, SystemExit) as err:
            if attempt == 59:
                raise
            last = err
            time.sleep(1)
    raise SystemExit(str(last))


def find(tok, collection, name, extra=''):
    _, reply, _ = call('GET', '%s/%s?name=%s%s' % (KEYSTONE, collection, name, extra), tok)
    items = reply[collection]
    return items[0] if items else None


def ensure(tok, collection, singular, name, body):
    found = find(tok, collection, name)
    if found:
        return found
    _, reply, _ = call('POST', '%s/%s' % (KEYSTONE, collection), tok, {singular: body})
    return reply[singular]


def grant(tok, project_id, user_id, role_id):
    call('PUT', '%s/projects/%s/users/%s/roles/%s' % (KEYSTONE, project_id, user_id, role_id), tok)


def ensure_endpoint(tok, service_id, interface, url):
    _, reply, _ = call('GET', '%s/endpoints?service_id=%s&interface=%s' % (
        KEYSTONE, service_id, interface), tok)
    existing = reply['endpoints']
    for ep in existing[1:]:
        call('DELETE', '%s/endpoints/%s' % (KEYSTONE, ep['id']), tok)
    if existing:
        ep = existing[0]
        if ep['url'] != url or ep.get('region_id') != REGION:
            call('PATCH', '%s/endpoints/%s' % (KEYSTONE, ep['id']), tok,
                 {'endpoint': {'url': url, 'region_id': REGION}})
        return
    call('POST', KEYSTONE + '/endpoints', tok, {'endpoint': {
        'service_id': service_id, 'interface': interface, 'url': url, 'region_id': REGION}})


def ensure_service(tok, stype, name, url):
    _, reply, _ = call('GET', '%s/services?type=%s' % (KEYSTONE, stype), tok)
    services = [s for s in reply['services'] if s.get('name') == name]
    if services:
        svc = services[0]
    else:
        _, r, _ = call('POST', KEYSTONE + '/services', tok,
                       {'service': {'type': stype, 'name': name, 'enabled': True}})
        svc = r['service']
    for interface in ('public', 'internal', 'admin'):
        ensure_endpoint(tok, svc['id'], interface, url)


def keystone():
    tok, _ = token('admin', ADMIN_PASSWORD, 'admin')
    roles = {}
    for r in ('admin', 'member', 'reader', 'service'):
        roles[r] = ensure(tok, 'roles', 'role', r, {'name': r})['id']
    projects = {}
    for p in ('service', 'ibs-member', 'ibs-other'):
        projects[p] = ensure(tok, 'projects', 'project', p, {
            'name': p, 'domain_id': 'default', 'enabled': True})['id']
    users = {}
    for u, pw in (('ibs-member', MEMBER_PASSWORD), ('ibs-other', MEMBER_PASSWORD),
                  ('nova', SERVICE_PASSWORD), ('cinder', SERVICE_PASSWORD),
                  ('placement', SERVICE_PASSWORD)):
        user = ensure(tok, 'users', 'user', u, {
            'name': u, 'domain_id': 'default', 'password': pw, 'enabled': True})
        # Keep the password in step with this script (a changed default, an old state dir).
        call('PATCH', '%s/users/%s' % (KEYSTONE, user['id']), tok,
             {'user': {'password': pw}})
        users[u] = user['id']
    grant(tok, projects['ibs-member'], users['ibs-member'], roles['member'])
    grant(tok, projects['ibs-other'], users['ibs-other'], roles['member'])
    for svc in ('nova', 'cinder', 'placement'):
        grant(tok, projects['service'], users[svc], roles['admin'])
        grant(tok, projects['service'], users[svc], roles['service'])
    _, admin_user, _ = call('GET', KEYSTONE + '/users?name=admin', tok)
    admin_id = admin_user['users'][0]['id']
    # The admin works in the member's project too: it sees and force-deletes its volumes.
    grant(tok, projects['ibs-member'], admin_id, roles['admin'])

    ensure_service(tok, 'identity', 'keystone', KEYSTONE)
    ensure_service(tok, 'block-storage', 'cinderv3',
                   'http://127.0.0.1:%s/v3/%%(project_id)s' % E['IBS_CINDER_PORT'])
    ensure_service(tok, 'compute', 'nova', 'http://127.0.0.1:%s/v2.1' % E['IBS_NOVA_PORT'])
    ensure_service(tok, 'placement', 'placement',
                   'http://127.0.0.1:%s' % E['IBS_PLACEMENT_PORT'])

    appcred()


def appcred():
    """An application credential of the member user, valid for its project."""
    path = os.path.join(RUN, 'appcred.json')
    mtok, mbody = token('ibs-member', MEMBER_PASSWORD, 'ibs-member')
    uid = mbody['user']['id']
    if os.path.exists(path):
        with open(path) as f:
            saved = json.load(f)
        status, _, _ = call('GET', '%s/users/%s/application_credentials/%s' % (
            KEYSTONE, uid, saved['id']), mtok, ok=(200, 404))
        if status == 200:
            return
    _, reply, _ = call('GET', '%s/users/%s/application_credentials?name=ibs-acceptance' % (
        KEYSTONE, uid), mtok)
    for old in reply['application_credentials']:
        call('DELETE', '%s/users/%s/application_credentials/%s' % (KEYSTONE, uid, old['id']),
             mtok)
    _, reply, _ = call('POST', '%s/users/%s/application_credentials' % (KEYSTONE, uid), mtok,
                       {'application_credential': {'name': 'ibs-acceptance'}})
    cred = reply['application_credential']
    tmp = path + '.tmp'
    with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 'w') as f:
        json.dump({'id': cred['id'], 'secret': cred['secret']}, f)
    os.replace(tmp, path)


def endpoint(catalog, stype):
    for svc in catalog:
        if svc['type'] == stype:
            for ep in svc['endpoints']:
                if ep['interface'] == 'public':
                    return ep['url']
    raise SystemExit('no %s endpoint' % stype)


def cinder():
    tok, body = token('admin', ADMIN_PASSWORD, 'ibs-member')
    url = endpoint(body['catalog'], 'block-storage')
    hdr = {'OpenStack-API-Version': 'volume 3.0'}
    _, reply, _ = call('GET', url + '/types', tok, headers=hdr)
    names = {t['name'] for t in reply['volume_types']}
    if 'ibs-multiattach' not in names:
        call('POST', url + '/types', tok, {'volume_type': {
            'name': 'ibs-multiattach', 'os-volume-type-access:is_public': True,
            'extra_specs': {'multiattach': '<is> True'}}}, headers=hdr)
    if 'ibs-nowhere' not in names:
        # No backend has this name: a volume of this type fails in the scheduler ('error').
        call('POST', url + '/types', tok, {'volume_type': {
            'name': 'ibs-nowhere', 'os-volume-type-access:is_public': True,
            'extra_specs': {'volume_backend_name': 'no-such-backend'}}}, headers=hdr)


def nova():
    tok, body = token('admin', ADMIN_PASSWORD, 'ibs-member')
    url = endpoint(body['catalog'], 'compute')
    status, _, _ = call('GET', url + '/flavors/ibs-tiny', tok, ok=(200, 404))
    if status == 404:
        call('POST', url + '/flavors', tok, {'flavor': {
            'name': 'ibs-tiny', 'id': 'ibs-tiny', 'ram': 64, 'vcpus': 1, 'disk': 1}})


def services_fresh():
    """Exit 0 once every named service has reported since the given time.

    Usage: bootstrap.py services-fresh nova|cinder SINCE_EPOCH BINARY...
    A service record stays 'up' for a minute after its process is gone, so only a heartbeat
    newer than the start of the process counts.
    """
    api, since, binaries = sys.argv[2], float(sys.argv[3]), set(sys.argv[4:])
    tok, body = token('admin', ADMIN_PASSWORD, 'ibs-member')
    stype = 'compute' if api == 'nova' else 'block-storage'
    url = endpoint(body['catalog'], stype)
    hdr = {'OpenStack-API-Version': 'compute 2.53'} if api == 'nova' else {}
    _, reply, _ = call('GET', url + '/os-services', tok, headers=hdr)
    fresh = set()
    for s in reply['services']:
        stamp = s.get('updated_at')
        if not stamp:
            continue
        stamp = stamp.split('.')[0].replace('Z', '')
        t = time.mktime(time.strptime(stamp, '%Y-%m-%dT%H:%M:%S')) - time.timezone
        if t >= since - 1 and s.get('state') == 'up':
            fresh.add(s['binary'])
    missing = binaries - fresh
    if missing:
        print('%s %s: waiting for %s' % (time.strftime('%H:%M:%S'), api, sorted(missing)),
              file=sys.stderr)
    sys.exit(1 if missing else 0)


def nova_ready():
    """Exit 0 once nova-compute reports up and its node is known to the scheduler."""
    tok, body = token('admin', ADMIN_PASSWORD, 'ibs-member')
    url = endpoint(body['catalog'], 'compute')
    hdr = {'OpenStack-API-Version': 'compute 2.53'}
    _, reply, _ = call('GET', url + '/os-services?binary=nova-compute', tok, headers=hdr)
    up = [s for s in reply['services'] if s['state'] == 'up' and s['status'] == 'enabled']
    _, hyp, _ = call('GET', url + '/os-hypervisors', tok, headers=hdr)
    ready = bool(up and hyp['hypervisors'])
    if not ready:
        print('%s nova-compute not ready: services %s, hypervisors %s' % (
            time.strftime('%H:%M:%S'), [(s['host'], s['state'], s['status'], s['updated_at'])
                                        for s in reply['services']],
            [h['hypervisor_hostname'] for h in hyp['hypervisors']]), file=sys.stderr)
    sys.exit(0 if ready else 1)


if __name__ == '__main__':
    {'keystone': keystone, 'cinder': cinder, 'nova': nova, 'nova-ready': nova_ready,
     'services-fresh': services_fresh}[sys.argv[1]]()
