//! The seccomp filter: a hand-written, linear BPF deny-list.
//!
//! Hand-written rather than generated so that every instruction can be read here, and so that
//! it needs no libseccomp on the host. Order of the checks:
//! 1. a foreign architecture (i386 `int 0x80`, any compat entry point) kills the process;
//! 2. x32 syscall numbers (bit 30) are refused, whatever the kernel's x32 support;
//! 3. syscall numbers above the newest one this list was written against are refused with
//!    ENOSYS, so that a future mount/namespace API is not allowed by default;
//! 4. the deny-list proper returns EPERM; argument filters for `clone` (namespace flags),
//!    `socket`/`socketpair` (families other than unix, inet, inet6), `ioctl` (TIOCSTI,
//!    TIOCLINUX) and `personality` (anything but a query or PER_LINUX); `clone3` gets ENOSYS
//!    because its flags live in memory a filter cannot read, and libc then falls back to
//!    `clone`, whose flags it can.

use std::io;

// Classic BPF opcodes (linux/filter.h, linux/bpf_common.h): BPF_LD (0) | BPF_W (0) | BPF_ABS.
const BPF_LD_W_ABS: u16 = 0x20;
const BPF_JMP_JEQ_K: u16 = 0x05 | 0x10;
const BPF_JMP_JGT_K: u16 = 0x05 | 0x20;
const BPF_JMP_JGE_K: u16 = 0x05 | 0x30;
const BPF_JMP_JSET_K: u16 = 0x05 | 0x40;
const BPF_RET_K: u16 = 0x06;

const SECCOMP_RET_KILL_PROCESS: u32 = 0x8000_0000;
const SECCOMP_RET_ERRNO: u32 = 0x0005_0000;
const SECCOMP_RET_ALLOW: u32 = 0x7fff_0000;
const SECCOMP_SET_MODE_FILTER: libc::c_ulong = 1;

// struct seccomp_data { int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6]; }
const OFFSET_NR: u32 = 0;
const OFFSET_ARCH: u32 = 4;
/// Low 32 bits of argument `i` (little-endian). The kernel reads `int`/`unsigned int`
/// arguments (socket family, ioctl request, personality) as 32 bits, so comparing only the
/// low half is exactly what it sees: high garbage bits cannot smuggle a request past us.
const fn arg_low(i: u32) -> u32 {
    16 + 8 * i
}

#[cfg(target_arch = "x86_64")]
const AUDIT_ARCH: u32 = 0xC000_003E;
#[cfg(target_arch = "aarch64")]
const AUDIT_ARCH: u32 = 0xC000_00B7;
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
compile_error!("the sandbox's seccomp filter is written for x86_64 and aarch64 only");

/// Newest syscall number the list below was reviewed against (mseal, Linux 6.10).
const LAST_REVIEWED_SYSCALL: u32 = 462;

const CLONE_NEW_ANY: u32 = (libc::CLONE_NEWNS
    | libc::CLONE_NEWCGROUP
    | libc::CLONE_NEWUTS
    | libc::CLONE_NEWIPC
    | libc::CLONE_NEWUSER
    | libc::CLONE_NEWPID
    | libc::CLONE_NEWNET) as u32;

const TIOCSTI: u32 = 0x5412;
const TIOCLINUX: u32 = 0x541C;
const PERSONALITY_QUERY: u32 = 0xffff_ffff;
const PER_LINUX: u32 = 0;

/// Syscalls refused with EPERM whatever their arguments.
fn denied() -> Vec<libc::c_long> {
    let mut list = vec![
        // Other processes' memory and file descriptors.
        libc::SYS_ptrace,
        libc::SYS_process_vm_readv,
        libc::SYS_process_vm_writev,
        libc::SYS_process_madvise,
        libc::SYS_pidfd_getfd,
        libc::SYS_kcmp,
        // Mounts and namespaces.
        libc::SYS_mount,
        libc::SYS_umount2,
        libc::SYS_pivot_root,
        libc::SYS_chroot,
        libc::SYS_move_mount,
        libc::SYS_open_tree,
        libc::SYS_fsopen,
        libc::SYS_fsconfig,
        libc::SYS_fsmount,
        libc::SYS_fspick,
        libc::SYS_mount_setattr,
        libc::SYS_unshare,
        libc::SYS_setns,
        libc::SYS_name_to_handle_at,
        libc::SYS_open_by_handle_at,
        // Kernel keyrings.
        libc::SYS_keyctl,
        libc::SYS_add_key,
        libc::SYS_request_key,
        // Kernel attack surface with a long CVE history.
        libc::SYS_bpf,
        libc::SYS_perf_event_open,
        libc::SYS_userfaultfd,
        libc::SYS_fanotify_init,
        libc::SYS_io_uring_setup,
        libc::SYS_io_uring_enter,
        libc::SYS_io_uring_register,
        // Whole-machine state.
        libc::SYS_kexec_load,
        libc::SYS_kexec_file_load,
        libc::SYS_reboot,
        libc::SYS_init_module,
        libc::SYS_finit_module,
        libc::SYS_delete_module,
        libc::SYS_clock_settime,
        libc::SYS_clock_adjtime,
        libc::SYS_adjtimex,
        libc::SYS_settimeofday,
        libc::SYS_sethostname,
        libc::SYS_setdomainname,
        libc::SYS_acct,
        libc::SYS_swapon,
        libc::SYS_swapoff,
        libc::SYS_quotactl,
        libc::SYS_quotactl_fd,
        libc::SYS_syslog,
        libc::SYS_vhangup,
    ];
    #[cfg(target_arch = "x86_64")]
    list.extend([
        libc::SYS_iopl,
        libc::SYS_ioperm,
        libc::SYS_modify_ldt,
        libc::SYS__sysctl,
        libc::SYS_uselib,
        libc::SYS_ustat,
        libc::SYS_sysfs,
        libc::SYS_lookup_dcookie,
        libc::SYS_nfsservctl,
    ]);
    list
}

fn stmt(code: u16, k: u32) -> libc::sock_filter {
    libc::sock_filter {
        code,
        jt: 0,
        jf: 0,
        k,
    }
}

fn jump(code: u16, k: u32, jt: u8, jf: u8) -> libc::sock_filter {
    libc::sock_filter { code, jt, jf, k }
}

fn nr(n: libc::c_long) -> u32 {
    u32::try_from(n).expect("syscall numbers are small and positive")
}

/// The filter program.
pub fn program() -> Vec<libc::sock_filter> {
    let eperm = SECCOMP_RET_ERRNO | libc::EPERM as u32;
    let enosys = SECCOMP_RET_ERRNO | libc::ENOSYS as u32;
    let mut p = vec![
        stmt(BPF_LD_W_ABS, OFFSET_ARCH),
        jump(BPF_JMP_JEQ_K, AUDIT_ARCH, 1, 0),
        stmt(BPF_RET_K, SECCOMP_RET_KILL_PROCESS),
        stmt(BPF_LD_W_ABS, OFFSET_NR),
    ];
    #[cfg(target_arch = "x86_64")]
    p.extend([
        // __X32_SYSCALL_BIT: the x32 ABI reaches the same handlers under other numbers.
        jump(BPF_JMP_JGE_K, 0x4000_0000, 0, 1),
        stmt(BPF_RET_K, eperm),
    ]);
    p.extend([
        jump(BPF_JMP_JGT_K, LAST_REVIEWED_SYSCALL, 0, 1),
        stmt(BPF_RET_K, enosys),
    ]);
    for n in denied() {
        p.extend([jump(BPF_JMP_JEQ_K, nr(n), 0, 1), stmt(BPF_RET_K, eperm)]);
    }
    p.extend([
        jump(BPF_JMP_JEQ_K, nr(libc::SYS_clone3), 0, 1),
        stmt(BPF_RET_K, enosys),
    ]);
    // clone: refuse any namespace flag (the other half of `unshare`).
    p.extend([
        jump(BPF_JMP_JEQ_K, nr(libc::SYS_clone), 0, 4),
        stmt(BPF_LD_W_ABS, arg_low(0)),
        jump(BPF_JMP_JSET_K, CLONE_NEW_ANY, 0, 1),
        stmt(BPF_RET_K, eperm),
        stmt(BPF_LD_W_ABS, OFFSET_NR),
    ]);
    // socket and socketpair: unix, inet and inet6 only (netlink, packet, vsock... refused).
    for call in [libc::SYS_socket, libc::SYS_socketpair] {
        p.extend([
            jump(BPF_JMP_JEQ_K, nr(call), 0, 6),
            stmt(BPF_LD_W_ABS, arg_low(0)),
            jump(BPF_JMP_JEQ_K, libc::AF_UNIX as u32, 3, 0),
            jump(BPF_JMP_JEQ_K, libc::AF_INET as u32, 2, 0),
            jump(BPF_JMP_JEQ_K, libc::AF_INET6 as u32, 1, 0),
            stmt(BPF_RET_K, eperm),
            stmt(BPF_LD_W_ABS, OFFSET_NR),
        ]);
    }
    // ioctl: no faking terminal input, no console tricks.
    p.extend([
        jump(BPF_JMP_JEQ_K, nr(libc::SYS_ioctl), 0, 5),
        stmt(BPF_LD_W_ABS, arg_low(1)),
        jump(BPF_JMP_JEQ_K, TIOCSTI, 1, 0),
        jump(BPF_JMP_JEQ_K, TIOCLINUX, 0, 1),
        stmt(BPF_RET_K, eperm),
        stmt(BPF_LD_W_ABS, OFFSET_NR),
    ]);
    // personality: querying is fine, changing (ADDR_NO_RANDOMIZE, READ_IMPLIES_EXEC...) is not.
    p.extend([
        jump(BPF_JMP_JEQ_K, nr(libc::SYS_personality), 0, 5),
        stmt(BPF_LD_W_ABS, arg_low(0)),
        jump(BPF_JMP_JEQ_K, PERSONALITY_QUERY, 2, 0),
        jump(BPF_JMP_JEQ_K, PER_LINUX, 1, 0),
        stmt(BPF_RET_K, eperm),
        stmt(BPF_LD_W_ABS, OFFSET_NR),
    ]);
    p.push(stmt(BPF_RET_K, SECCOMP_RET_ALLOW));
    p
}

/// Installs the filter on the calling thread (the helper is single-threaded); inherited by
/// every process the script starts. Needs `no_new_privs`.
pub fn install() -> io::Result<()> {
    let mut filter = program();
    let prog = libc::sock_fprog {
        len: u16::try_from(filter.len()).expect("the filter is short"),
        filter: filter.as_mut_ptr(),
    };
    // SAFETY: `prog` points at `filter`, which outlives the call; the kernel copies it.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_seccomp,
            SECCOMP_SET_MODE_FILTER,
            0 as libc::c_ulong,
            &prog as *const libc::sock_fprog,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Whether the installed filter refuses a user namespace as it should.
pub fn self_test() -> bool {
    // SAFETY: unshare takes no pointers; if the filter were missing and this succeeded, the
    // caller reports the failure and exits before running anything.
    let rc = unsafe { libc::unshare(libc::CLONE_NEWUSER) };
    rc == -1 && io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_jump_lands_inside_the_program() {
        let p = program();
        for (i, ins) in p.iter().enumerate() {
            if ins.code & 0x07 == 0x05 {
                assert!(i + 1 + usize::from(ins.jt) < p.len(), "jt of {i}");
                assert!(i + 1 + usize::from(ins.jf) < p.len(), "jf of {i}");
            }
        }
        assert_eq!(p.last().unwrap().k, SECCOMP_RET_ALLOW);
    }
}
