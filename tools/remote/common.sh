# Shared by tools/remote/up and tools/remote/down: where the engine's state
# lives and how to reach the build root's namespace it runs in.
set -euo pipefail
remote_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
workspace=$(cd "$remote_here/../.." && pwd -P)
# shellcheck source=tools/buildroot/common.sh
source "$workspace/tools/buildroot/common.sh"
[[ "$(id -u)" == 0 ]] || buildroot_die "the loopback engine runs in the build root's namespace, which needs root to enter."
root=$(buildroot_path "$workspace")
output_root=$(buildroot_output_root)
# One engine per machine: its state (PostgreSQL's data, casd's CAS, logs,
# PIDs) below the output root, which the namespace can write.
remote_state="$output_root/remote"
