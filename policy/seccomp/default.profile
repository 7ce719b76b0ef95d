# corral seccomp profile "default": the system call filter of every
# project process (corral.conf(5) seccomp_profile, DESIGN §6).
#
# Compiled into corral-helper and corral-policy when they are built; this
# installed copy is what they contain, for reading.  Everything not named
# here is allowed; the project already runs with no capability, its own
# uid and no_new_privs, so the filter removes kernel surface those do not.
#
# Lines: ACTION NAME...   ("#" starts a comment line)
#   eperm            the call fails with EPERM
#   enosys           the call fails with ENOSYS, as if the kernel lacked
#                    it: libc then falls back to an older call whose
#                    arguments the filter can inspect
#   eperm-nsflags    the call fails with EPERM when its first argument
#                    holds any CLONE_NEW* flag (CLONE_NEWUSER is exempt
#                    when the policy sets user_namespaces = yes)
#   eperm-ioctl      ioctl fails with EPERM for these requests, compared
#                    on the low 32 bits only, since the kernel ignores the
#                    high half (CVE-2019-10063)
# System calls of another architecture than the helper's own (i386
# through int 0x80, x32) kill the process.

# joining or creating namespaces: no container escape through a new
# user namespace, no changing what the project sees
eperm setns
eperm-nsflags clone unshare

# mounts and the root directory
eperm mount umount2 pivot_root chroot

# the new mount API and clone3 take their flags behind pointers
enosys clone3 fsopen fsconfig fsmount fspick move_mount open_tree mount_setattr

# kernel keyrings are not namespaced
eperm add_key request_key keyctl

# large kernel attack surface
eperm bpf perf_event_open userfaultfd
eperm io_uring_setup io_uring_enter io_uring_register

# file handles bypass the mount view ("shocker")
eperm open_by_handle_at name_to_handle_at

# kernel modules and kexec
eperm init_module finit_module delete_module kexec_load kexec_file_load

# typing into another terminal's input queue
eperm-ioctl TIOCSTI TIOCLINUX
