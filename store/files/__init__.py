"""Files the user names: `reading` opens them safely (regular files only, bounded
reads), `writing` replaces or creates export targets safely."""
