#!/bin/bash
# Runs examples/suites across 4 machines as a Slurm job array: each array task
# runs one shard (ckpt suite reads SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT)
# and writes its own JUnit XML. See docs/SUITES.md ("Shards").
#
#   sbatch examples/slurm-suite.sh            (from the repository, built on every node's shared checkout)
#
#SBATCH --job-name=ckpt-suite
#SBATCH --array=0-3
#SBATCH --cpus-per-task=2
#SBATCH --time=00:30:00
#SBATCH --output=results/slurm-%A_%a.out
set -euo pipefail
cd "${SLURM_SUBMIT_DIR:-.}"
mkdir -p results
# each node takes its own checkpoints (an image needs the same binaries and
# libraries as the machine that restarts it): a node-local cache
export CKPT_CACHE_DIR="${TMPDIR:-/tmp}/ckpt-suite-cache-$USER"
exec bin/ckpt suite examples/suites -j "${SLURM_CPUS_PER_TASK:-1}" \
    --junit-xml "results/shard-${SLURM_ARRAY_TASK_ID}.xml"
