#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for the sweep's Slurm backend tests and trials
# (docs/sweeps.md, "A local Slurm cluster"): Debian's slurm-wlm and munge, one slurmctld, one
# slurmd and munged, all as root, no cgroups, no accounting database.
#
#   tools/slurm/local-cluster.sh start    install if needed, write slurm.conf, start, wait for the node
#   tools/slurm/local-cluster.sh stop     stop the three daemons this script started (by their pid files)
#   tools/slurm/local-cluster.sh status   the daemons, sinfo and squeue
#
# Accounting is off (accounting_storage/none: slurmdbd and a database are more than a test needs),
# so sacct has no data; finished jobs are logged by jobcomp/filetxt to $log_dir/jobcomp.log, and
# 'hypercl sweep status' reads squeue, the run folders and the record each array task leaves.
set -euo pipefail

conf=/etc/slurm/slurm.conf
marker="# Written by hypercl tools/slurm/local-cluster.sh"
state_dir=/var/lib/hypercl-slurm
log_dir=/var/log/hypercl-slurm
ctld_pid=/run/hypercl-slurmctld.pid
slurmd_pid=/run/hypercl-slurmd.pid
munge_pid=/run/munge/munged.pid
wait_s=${HYPERCL_SLURM_WAIT:-60}

say() { echo "local-cluster: $*" >&2; }
die() { say "$*"; exit 1; }

need_root() {
  [[ $(id -u) -eq 0 ]] || die "must run as root (it installs packages and starts daemons as root)"
}

# A daemon is alive when its pid file names a running process of that name: a stale pid file
# (a daemon killed without cleaning up) whose pid was reused by another process does not count.
alive() { # pidfile name
  local pid
  [[ -f $1 ]] || return 1
  pid=$(cat "$1" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ $(cat "/proc/$pid/comm" 2>/dev/null) == "$2" ]]
}

install_packages() {
  if command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v sbatch >/dev/null \
     && command -v munged >/dev/null; then
    return
  fi
  command -v apt-get >/dev/null || die "slurm-wlm and munge are missing and apt-get is not here; install them by hand"
  say "installing slurm-wlm and munge (apt-get) ..."
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q --no-install-recommends slurm-wlm munge >"$log_dir/apt.log" 2>&1; then
    apt-get update -q >>"$log_dir/apt.log" 2>&1 || true
    apt-get install -y -q --no-install-recommends slurm-wlm munge >>"$log_dir/apt.log" 2>&1 \
      || die "apt-get install slurm-wlm munge failed; see $log_dir/apt.log: $(tail -n 1 "$log_dir/apt.log")"
  fi
}

start_munge() {
  install -d -o munge -g munge -m 0700 /etc/munge /var/lib/munge /var/log/munge
  install -d -o munge -g munge -m 0755 /run/munge
  if [[ ! -s /etc/munge/munge.key ]]; then
    if command -v mungekey >/dev/null; then
      mungekey --create --keyfile=/etc/munge/munge.key
    else
      dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
    fi
  fi
  chown munge:munge /etc/munge/munge.key
  chmod 0400 /etc/munge/munge.key
  if ! alive "$munge_pid" munged; then
    runuser -u munge -- munged --pid-file="$munge_pid"
  fi
  munge -n | unmunge >/dev/null || die "munged does not answer (munge -n | unmunge failed)"
}

# The node as slurmd sees it (its CPUs, sockets, cores, threads and memory), so the controller
# never drains it for a configuration larger than the hardware; nproc and free as a fallback.
node_line() {
  local host=$1 line
  line=$(slurmd -C 2>/dev/null | grep '^NodeName=' | head -n 1 || true)
  if [[ -n $line ]]; then
    line=${line#NodeName=* }
    echo "NodeName=$host NodeAddr=127.0.0.1 $line"
  else
    echo "NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=$(free -m | awk '/^Mem:/ {print $2}')"
  fi
}

write_conf() {
  local host=$1
  if [[ -f $conf ]] && ! grep -qF "$marker" "$conf"; then
    die "$conf exists and was not written by this script; not touching a real cluster's configuration"
  fi
  install -d -m 0755 /etc/slurm "$state_dir/slurmctld" "$state_dir/slurmd" "$log_dir"
  local tmp
  tmp=$(mktemp "$conf.XXXXXX")
  cat >"$tmp" <<EOF
$marker: a one-node cluster for tests and trials.
ClusterName=hypercl-local
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$state_dir/slurmctld
SlurmdSpoolDir=$state_dir/slurmd
SlurmctldPidFile=$ctld_pid
SlurmdPidFile=$slurmd_pid
SlurmctldLogFile=$log_dir/slurmctld.log
SlurmdLogFile=$log_dir/slurmd.log
# No cgroups: processes are tracked through /proc and tasks are not bound.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
# CPUs are the consumable; memory is checked against the node, not enforced.
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
# No slurmdbd: sacct has no data. Finished jobs are logged here instead.
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$log_dir/jobcomp.log
$(node_line "$host") State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
  chmod 0644 "$tmp"
  mv -f "$tmp" "$conf"
}

node_state() {
  sinfo -h -n "$1" -o %t 2>/dev/null | head -n 1 || true
}

start() {
  need_root
  local t0=$SECONDS host
  host=$(hostname -s)
  install -d -m 0755 "$log_dir"
  install_packages
  start_munge
  write_conf "$host"
  if alive "$ctld_pid" slurmctld; then
    scontrol reconfigure >/dev/null 2>&1 || true
  else
    slurmctld
  fi
  if ! alive "$slurmd_pid" slurmd; then
    slurmd
  fi
  local s=""
  for ((i = 0; i < wait_s * 2; i++)); do
    s=$(node_state "$host")
    case $s in
      idle*|mix*|alloc*) break ;;
      down*|drain*|drng*) scontrol update nodename="$host" state=resume >/dev/null 2>&1 || true ;;
    esac
    sleep 0.5
  done
  case $s in
    idle*|mix*|alloc*) ;;
    *) die "node $host is '${s:-not listed}' after ${wait_s}s; see $log_dir/slurmctld.log and $log_dir/slurmd.log" ;;
  esac
  say "cluster hypercl-local up in $((SECONDS - t0)) s: node $host is $s (partition local)"
  sinfo
}

stop_one() { # name pidfile
  if alive "$2" "$1"; then
    local pid
    pid=$(cat "$2")
    kill "$pid"
    for ((i = 0; i < 40; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.25
    done
    say "stopped $1 (pid $pid)"
  fi
}

stop() {
  need_root
  stop_one slurmd "$slurmd_pid"
  stop_one slurmctld "$ctld_pid"
  stop_one munged "$munge_pid"
}

status() {
  local rc=0
  for d in "munged:$munge_pid" "slurmctld:$ctld_pid" "slurmd:$slurmd_pid"; do
    if alive "${d#*:}" "${d%%:*}"; then
      echo "${d%%:*}: running (pid $(cat "${d#*:}"))"
    else
      echo "${d%%:*}: not running"
      rc=3
    fi
  done
  if [[ $rc -eq 0 ]]; then
    # Running daemons are not enough: the controller must answer through munge.
    if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
      echo "munged: running but does not answer (munge -n | unmunge failed)"
      rc=3
    elif ! sinfo; then
      echo "slurmctld: running but sinfo fails"
      rc=3
    else
      squeue
    fi
  fi
  return $rc
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
