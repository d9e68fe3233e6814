"""Peak memory of a child process, measured by the child itself.

`ru_maxrss` survives `execve`: a child started from a large test process (the suite's
own process reaches a few hundred MB) reports at least the parent's size. `VmHWM`
belongs to the child's own address space, so it is the child's peak alone.
"""

# Source defining `own_peak_kb()`, for the `python -c` programs the tests run.
OWN_PEAK_KB_SOURCE = (
    "def own_peak_kb():\n"
    "    try:\n"
    "        with open('/proc/self/status') as status:\n"
    "            for line in status:\n"
    "                if line.startswith('VmHWM:'):\n"
    "                    return int(line.split()[1])\n"
    "    except OSError:\n"
    "        pass  # no /proc (not Linux): ru_maxrss is the best there is\n"
    "    import resource\n"
    "    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
)
