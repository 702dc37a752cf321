"""`interp cache`: where the on-disk cache is, and clearing it (only the cache's own files)."""

from __future__ import annotations


def cache_command(args) -> int:
    from interp.cache import Cache

    cache = Cache()
    if args.action == "path":
        print(cache.root)
        return 0
    entries = list(cache.root.glob("??/*")) if cache.root and cache.root.is_dir() else []
    if cache.root and cache.root.is_dir():  # and the dataset passes' Parquet rows beside them
        entries += list(cache.root.glob("datasets/*/chunk-*.parquet"))
    for entry in entries:  # only the cache's own <2 hex>/<digest> files
        entry.unlink(missing_ok=True)
    print(f"removed {len(entries)} cached file(s) from {cache.root}")
    return 0
