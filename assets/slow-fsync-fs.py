#!/usr/bin/python3
"""A pass-through filesystem whose fsync can be slowed: zk-chaos mounts it
over a ZooKeeper server's transaction-log folder, so a fault can make every
fsync (ZooKeeper's FileChannel.force) wait, as on a failing or saturated disk.

    slow-fsync-fs.py BACKING MOUNTPOINT CONTROL [marker args ignored]

Every operation goes to BACKING unchanged. fsync and fdatasync first sleep for
the number of milliseconds written in the file CONTROL (read on each call; 0
or a missing file: no delay), and count themselves in CONTROL.count as
they begin. Runs in
the foreground; unmounting (umount MOUNTPOINT) ends it.
"""
import errno
import os
import sys
import threading
import time

import fusepy


class SlowFsync(fusepy.Operations):
    def __init__(self, backing, control):
        self.backing = backing
        self.control = control
        self.count_lock = threading.Lock()
        self.count = 0

    def _path(self, path):
        return os.path.join(self.backing, path.lstrip("/"))

    def _delay(self):
        # Counted as it begins, so an fsync still waiting is counted too.
        with self.count_lock:
            self.count += 1
            # Replaced whole, never truncated in place: a reader racing this write would see
            # an empty file and take the count for zero.
            partial = self.control + ".count.partial"
            with open(partial, "w") as handle:
                handle.write(str(self.count))
            os.replace(partial, self.control + ".count")
        try:
            with open(self.control) as handle:
                ms = float(handle.read().strip() or "0")
        except (OSError, ValueError):
            ms = 0.0
        if ms > 0:
            time.sleep(ms / 1000.0)

    # Metadata
    def access(self, path, mode):
        if not os.access(self._path(path), mode):
            raise fusepy.FuseOSError(errno.EACCES)

    def getattr(self, path, fh=None):
        st = os.lstat(self._path(path))
        keys = ("st_atime", "st_ctime", "st_gid", "st_mode", "st_mtime", "st_nlink", "st_size", "st_uid", "st_blocks")
        return {key: getattr(st, key) for key in keys}

    def readdir(self, path, fh):
        return [".", ".."] + os.listdir(self._path(path))

    def statfs(self, path):
        st = os.statvfs(self._path(path))
        keys = ("f_bavail", "f_bfree", "f_blocks", "f_bsize", "f_favail", "f_ffree", "f_files", "f_flag", "f_frsize", "f_namemax")
        return {key: getattr(st, key) for key in keys}

    def chmod(self, path, mode):
        return os.chmod(self._path(path), mode)

    def chown(self, path, uid, gid):
        return os.chown(self._path(path), uid, gid)

    def utimens(self, path, times=None):
        return os.utime(self._path(path), times)

    def mkdir(self, path, mode):
        return os.mkdir(self._path(path), mode)

    def rmdir(self, path):
        return os.rmdir(self._path(path))

    def unlink(self, path):
        return os.unlink(self._path(path))

    def rename(self, old, new):
        return os.rename(self._path(old), self._path(new))

    def truncate(self, path, length, fh=None):
        if fh is not None:
            return os.ftruncate(fh, length)
        with open(self._path(path), "r+") as handle:
            handle.truncate(length)

    # Data
    def open(self, path, flags):
        return os.open(self._path(path), flags)

    def create(self, path, mode, fi=None):
        return os.open(self._path(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)

    def read(self, path, size, offset, fh):
        return os.pread(fh, size, offset)

    def write(self, path, data, offset, fh):
        return os.pwrite(fh, data, offset)

    def flush(self, path, fh):
        return 0

    def release(self, path, fh):
        return os.close(fh)

    def fsync(self, path, datasync, fh):
        self._delay()
        return os.fdatasync(fh) if datasync else os.fsync(fh)


def main():
    backing, mountpoint, control = sys.argv[1:4]
    fusepy.FUSE(SlowFsync(backing, control), mountpoint, foreground=True, nothreads=False)


if __name__ == "__main__":
    main()
