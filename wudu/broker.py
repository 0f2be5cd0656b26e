"""The embedded broker of `make run`: kombu's filesystem transport, one folder under var/, no service to install.

A worker, beat, the outbox relay and the web server share it on one machine (never in production: settings refuse
it there). Two changes to kombu's transport make it safe for several processes at once:

- a message is written to a hidden temporary name and renamed into the queue folder, so that a consumer never
  reads a file still being written (kombu's own `_put` creates the file empty, then writes into it);
- a consumer takes a message by renaming it inside the same folder (atomic on one file system, unlike kombu's
  move to the system's temporary folder, which is a copy when /tmp is another file system), so that two
  consumers never get the same message.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from queue import Empty
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        folder = Path(self.data_folder_out)
        folder.mkdir(parents=True, exist_ok=True)
        # Names sort in the order written (milliseconds of the system's monotonic clock, shared by its processes).
        name = f"{int(round(monotonic() * 1000)):015d}_{uuid.uuid4()}.{queue}.msg"
        temporary = folder / f".{name}.tmp"
        try:
            temporary.write_bytes(str_to_bytes(dumps(payload)))
            os.replace(temporary, folder / name)
        except OSError as exc:
            raise ChannelError(f"Cannot add a message to {folder}") from exc

    def _get(self, queue):
        folder = Path(self.data_folder_in)
        wanted = f"{queue}.msg"
        try:
            names = sorted(os.listdir(folder))
        except FileNotFoundError:
            raise Empty() from None
        for name in names:
            if name.startswith(".") or name.partition(".")[2] != wanted:
                continue
            taken = folder / f".{name}.{uuid.uuid4().hex}.taken"
            try:
                os.rename(folder / name, taken)  # only one consumer wins the rename
            except OSError:
                continue
            try:
                payload = taken.read_bytes()
                taken.unlink()
            except OSError as exc:
                raise ChannelError(f"Cannot read the message {taken}") from exc
            return loads(bytes_to_str(payload))
        raise Empty()

    def _purge(self, queue):
        count = 0
        wanted = f"{queue}.msg"
        folder = Path(self.data_folder_in)
        for name in os.listdir(folder) if folder.exists() else ():
            if not name.startswith(".") and name.partition(".")[2] == wanted:
                try:
                    (folder / name).unlink()
                    count += 1
                except OSError:
                    pass  # taken by a consumer meanwhile
        return count

    def _size(self, queue):
        folder = Path(self.data_folder_in)
        wanted = f"{queue}.msg"
        return sum(1 for name in (os.listdir(folder) if folder.exists() else ())
                   if not name.startswith(".") and name.partition(".")[2] == wanted)

    def _queue_bind(self, exchange, routing_key, pattern, queue):
        Path(self.control_folder).mkdir(parents=True, exist_ok=True)
        return super()._queue_bind(exchange, routing_key, pattern, queue)


class Transport(filesystem.Transport):
    Channel = Channel
    # Each process polls the folder: a task waits at most this long before the worker sees it.
    polling_interval = 0.5
