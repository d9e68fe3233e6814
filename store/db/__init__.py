"""The database: opening it (`connection`), its schema steps (`migrations`) and the
queue that lets several Sidenote processes write to one file (`write_queue`).

`from store.db import Store, open_store` keeps working for scripts written against
the flat layout; code inside `store/` imports from the module that defines a name.
"""

from .connection import Store, describe_error, open_store, utc_now

__all__ = ["Store", "describe_error", "open_store", "utc_now"]
