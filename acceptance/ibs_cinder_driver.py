"""A Cinder volume driver for the acceptance services: each volume is a sparse file.

Cinder's own test driver (FakeLoggingVolumeDriver) only logs, and its fake iSCSI connections
cannot be backed up. This subclass keeps every volume as a sparse file under
IBS_CINDER_VOLUME_DIR and hands out `local` connections (device_path = the file), so that
cinder-backup really reads and writes the volume, and restore, revert and clones copy data.
"""

import os

from cinder.tests import fake_driver

GIB = 1024 ** 3


def _dir():
    path = os.environ.get('IBS_CINDER_VOLUME_DIR', '/tmp/ibs-cinder-volumes')
    os.makedirs(path, exist_ok=True)
    return path


def _vol_path(volume):
    return os.path.join(_dir(), 'volume-%s' % volume['id'])


def _snap_path(snapshot):
    return os.path.join(_dir(), 'snapshot-%s' % snapshot['id'])


def _grow(path, size_gb):
    """Make `path` at least size_gb GiB long (sparse), creating it if missing."""
    want = int(size_gb) * GIB
    with open(path, 'ab'):
        pass
    if os.path.getsize(path) < want:
        os.truncate(path, want)


def _copy(src, dst, size_gb):
    """Copies src to dst keeping holes: blocks of zeros are skipped, not written."""
    block = 1024 * 1024
    zeros = bytes(block)
    with open(dst, 'wb') as out:
        if os.path.exists(src):
            with open(src, 'rb') as inp:
                while True:
                    chunk = inp.read(block)
                    if not chunk:
                        break
                    if chunk == zeros[:len(chunk)]:
                        out.seek(len(chunk), os.SEEK_CUR)
                    else:
                        out.write(chunk)
                out.truncate()
    _grow(dst, size_gb)


def _remove(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


class SparseFileDriver(fake_driver.FakeLoggingVolumeDriver):
    """FakeLoggingVolumeDriver with sparse files and local connections."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.backend_name = 'ibs-sparse'
        self.protocol = 'local'

    def create_volume(self, volume):
        _grow(_vol_path(volume), volume['size'])

    def delete_volume(self, volume):
        _remove(_vol_path(volume))

    def extend_volume(self, volume, new_size):
        _grow(_vol_path(volume), new_size)

    def create_snapshot(self, snapshot):
        _copy(_vol_path(snapshot.volume), _snap_path(snapshot), snapshot['volume_size'])

    def delete_snapshot(self, snapshot):
        _remove(_snap_path(snapshot))

    def create_cloned_volume(self, volume, src_vol):
        _copy(_vol_path(src_vol), _vol_path(volume), volume['size'])

    def create_volume_from_snapshot(self, volume, snapshot):
        _copy(_snap_path(snapshot), _vol_path(volume), volume['size'])

    def revert_to_snapshot(self, context, volume, snapshot):
        _copy(_snap_path(snapshot), _vol_path(volume), volume['size'])

    def validate_connector(self, connector):
        # A local connection needs no initiator.
        pass

    def initialize_connection(self, volume, connector):
        path = _vol_path(volume)
        _grow(path, volume['size'])
        return {'driver_volume_type': 'local',
                'data': {'device_path': path, 'access_mode': 'rw'}}

    def terminate_connection(self, volume, connector, **kwargs):
        # A restore opens the volume with 'wb', which truncates a regular file.
        _grow(_vol_path(volume), volume['size'])

    def _update_volume_stats(self):
        super()._update_volume_stats()
        self._stats['storage_protocol'] = 'local'
        for pool in self._stats['pools']:
            pool['multiattach'] = True
            pool['reserved_percentage'] = 0
            pool['thin_provisioning_support'] = True
