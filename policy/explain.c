/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * corral-policy explain: the policy as a sysadmin reads it, one section per
 * question an audit asks.  Each sentence states what corral-helper does
 * with the value (DESIGN.md §3 and §6), so it must change when the helper
 * does.  Every value printed comes from the policy, whose values are
 * printable ASCII, or from the helper's capability table.
 */
#include "config.h"

#include <arpa/inet.h>
#include <grp.h>
#include <string.h>

#include "common/helper_caps.h"
#include "policy/internal.h"

#define WRAP 72

static void heading(FILE *out, const char *title)
{
	fprintf(out, "\n%s\n", title);
	for (size_t i = strlen(title); i > 0; i--)
		fputc('-', out);
	fputc('\n', out);
}

/* Words of a list, wrapped at WRAP columns under an indent. */
static void print_words(FILE *out, const char *indent, char *const *w,
			unsigned int n, const char *none)
{
	size_t col = strlen(indent);

	fputs(indent, out);
	if (n == 0)
		fputs(none, out);
	for (unsigned int i = 0; i < n; i++) {
		size_t len = strlen(w[i]);

		if (i && col + 1 + len > WRAP) {
			fprintf(out, "\n%s", indent);
			col = strlen(indent);
		} else if (i) {
			fputc(' ', out);
			col++;
		}
		fputs(w[i], out);
		col += len;
	}
	fputc('\n', out);
}

static void human_size(char *buf, size_t size, uint64_t v)
{
	static const char *const unit[] = { "bytes", "KiB", "MiB", "GiB", "TiB" };
	int u = 4;

	while (u > 0 && (v & ((UINT64_C(1) << (10 * u)) - 1)) != 0)
		u--;
	snprintf(buf, size, "%llu %s", (unsigned long long)(v >> (10 * u)),
		 unit[u]);
}

static void explain_access(const struct crl_policy *p, FILE *out)
{
	const struct group *gr = p->frontend_gid == (gid_t)-1 ? NULL :
				 getgrgid(p->frontend_gid);
	char q[CRL_QUOTE_MAX];

	heading(out, "Who may talk to the helper");
	fprintf(out, "corral-helper listens on the Unix socket %s\n",
		p->socket_path);
	if (gr)
		fprintf(out, "(mode 0660, group %s, gid %u).\n",
			crl_quote(gr->gr_name, strlen(gr->gr_name), q),
			(unsigned int)gr->gr_gid);
	else
		fprintf(out, "(mode 0660, group: the primary group of user "
			"%s).\n", p->frontend_user);
	if (p->frontend_uid != (uid_t)-1)
		fprintf(out, "It serves only root and the user %s (uid %u).\n",
			p->frontend_user, (unsigned int)p->frontend_uid);
	else
		fprintf(out, "It serves only root and the user %s (not "
			"resolved on this host).\n", p->frontend_user);
	fprintf(out, "Every other peer is refused and logged, whatever the file "
		"permissions say:\nthe helper checks the peer's uid on each "
		"connection (SO_PEERCRED).\n"
		"At most %u connections are served at once.  The helper has no "
		"network\nsocket.\n", p->max_connections);
}

static void explain_write(const struct crl_policy *p, FILE *out)
{
	char tmp[32];

	human_size(tmp, sizeof(tmp), p->tmp_size);
	heading(out, "What a project can write");
	fprintf(out, "- its own home, owned by its uid (mode 0700), mounted "
		"nosuid and nodev;\n  inside it is %s, on the host\n"
		"    %s/<project id>\n", p->home_mount, p->home_root);
	fprintf(out, "- a private /tmp: a tmpfs of at most %s;\n", tmp);
	fprintf(out, "- a private /dev/shm and its own pseudo-terminals;\n");
	fprintf(out, "- nothing else: the root file system and every extra bind "
		"are mounted\n  read-only, nosuid and nodev.\n");
}

static void explain_read(const struct crl_policy *p, FILE *out)
{
	heading(out, "What a project can read");
	fprintf(out, "- the root file system, read-only, as any unprivileged "
		"user could (a\n  project's uid owns no file there, so it reads "
		"what others may read):\n    %s\n", p->rootfs);
	fprintf(out, "- except these hidden paths, each covered by an empty "
		"file system:\n");
	print_words(out, "    ", p->hide, p->n_hide, "(none listed)");
	fprintf(out, "  and always the directory of all homes, so that no "
		"project sees another's:\n    %s\n", p->home_root);
	fprintf(out, "- these host paths, bound read-only at the same place:\n");
	print_words(out, "    ", p->ro_bind, p->n_ro_bind, "(none)");
	fprintf(out, "- a fresh /proc that shows only its own processes, and a "
		"minimal /dev:\n  null, zero, full, random, urandom, tty.\n");
}

static void explain_net(const struct crl_policy *p, FILE *out)
{
	int run_hidden = 0;

	heading(out, "Network");
	for (unsigned int i = 0; i < p->n_hide; i++)
		run_hidden |= strcmp(p->hide[i], "/run") == 0;
	if (p->network == CRL_NET_NONE)
		fprintf(out, "none: each project has a network namespace of its "
			"own with only the\nloopback interface.  It reaches no "
			"other host, no other project and none\nof the host's "
			"network services.\n");
	else
		fprintf(out, "veth: each project has a network namespace of its "
			"own with the loopback\ninterface and one veth link to "
			"the host bridge %s.  Its address comes\nfrom %s.  The "
			"only address it may reach is the hub address %s;\n"
			"other projects and other hosts are out of reach.  Every "
			"host service\nlistening on the hub address, or on all "
			"addresses, is reachable there.\n", p->bridge, p->subnet,
			p->hub_address);
	fprintf(out, "Unix sockets in the file system are not network: a project "
		"can connect to\nthose it can see and may open.  %s\n",
		run_hidden ? "/run, where most of them live, is hidden." :
		"/run is NOT hidden: its sockets are visible.");
}

static void explain_privs(const struct crl_policy *p, FILE *out)
{
	heading(out, "Privileges");
	fprintf(out, "- each project runs as a uid of its own, with a gid equal "
		"to it and no\n  supplementary groups; no host user or group "
		"has an id from the range\n    %u-%u (%u uids)\n",
		(unsigned int)p->uid_first, (unsigned int)p->uid_last,
		(unsigned int)(p->uid_last - p->uid_first + 1));
	fprintf(out, "- no capabilities: all sets are emptied, the bounding set "
		"included;\n- no_new_privs is set: setuid and file-capability "
		"programs gain nothing;\n");
	fprintf(out, "- new mount, pid, ipc, uts, network and cgroup "
		"namespaces;\n- host name %s (%%p: the first 8 hex digits of "
		"the project id);\n", p->hostname);
	if (p->user_namespaces)
		fprintf(out, "- user namespaces ON: a project may create user "
			"namespaces, and inside\n  them the other kinds; this "
			"exposes much more of the kernel to it;\n");
	else
		fprintf(out, "- user namespaces off: a project cannot create "
			"any namespace;\n");
	fprintf(out, "- only these environment variables pass from a request, "
		"all others are\n  removed:\n");
	print_words(out, "    ", p->env_allow, p->n_env_allow, "(none)");
	fprintf(out, "- started without a command, a project runs\n    %s\n",
		p->default_command);
}

/* The names of one action of a profile, joined "a, b and c", wrapped. */
static void print_rules(FILE *out, const struct crl_seccomp_profile *prof,
			enum crl_sc_action act)
{
	unsigned int total = 0, k = 0, col = 4;

	for (unsigned int i = 0; i < prof->n; i++)
		total += prof->rule[i].action == act;
	fputs("    ", out);
	for (unsigned int i = 0; i < prof->n; i++) {
		const char *sep;
		size_t len;

		if (prof->rule[i].action != act)
			continue;
		k++;
		sep = k == total ? "" : k + 1 == total ? " and" : ",";
		len = strlen(prof->rule[i].name) + strlen(sep) + 1;
		if (col > 4 && col + len > 76) {
			fputs("\n    ", out);
			col = 4;
		} else if (col > 4) {
			fputc(' ', out);
		}
		fprintf(out, "%s%s", prof->rule[i].name, sep);
		col += (unsigned int)len;
	}
	fputs(";\n", out);
}

static void explain_seccomp(const struct crl_policy *p, FILE *out)
{
	struct crl_seccomp_profile prof;
	char why[128];

	heading(out, "System calls");
	if (crl_seccomp_profile_load(p->seccomp_profile, &prof, why,
				     sizeof(why)) < 0) {
		fprintf(out, "Seccomp profile \"%s\": %s.\n", p->seccomp_profile,
			why);
		return;
	}
	fprintf(out, "Seccomp profile \"%s\" (compiled into the helper; a "
		"copy to read is\ninstalled as seccomp/%s.profile in corral's "
		"data directory), loaded by the\nproject's init after its uid "
		"switch, before the project's command runs;\ncommands of exec "
		"inherit it from the init.\nEverything else is allowed.\n", prof.name, prof.name);
	fprintf(out, "- these fail with EPERM:\n");
	print_rules(out, &prof, CRL_SC_EPERM);
	fprintf(out, "- creating namespaces: these fail with EPERM when given "
		"any CLONE_NEW* flag%s:\n", p->user_namespaces ?
		" (a new user namespace alone is allowed)" : "");
	print_rules(out, &prof, CRL_SC_EPERM_NSFLAGS);
	fprintf(out, "- these answer ENOSYS, so programs fall back to calls "
		"whose arguments the\n  filter can inspect (clone, mount, "
		"which are refused above):\n");
	print_rules(out, &prof, CRL_SC_ENOSYS);
	fprintf(out, "- the ioctls ");
	for (unsigned int i = 0, k = 0; i < prof.n; i++)
		if (prof.rule[i].action == CRL_SC_EPERM_IOCTL)
			fprintf(out, "%s%s", k++ ? " and " : "", prof.rule[i].name);
	fprintf(out, ", which could type into another\n  terminal, fail "
		"with EPERM; they are matched on the low 32 bits of the\n  "
		"request, as the kernel does;\n"
		"- a system call of another architecture (i386, x32) kills "
		"the process.\n");
	crl_seccomp_profile_free(&prof);
}

static void explain_limits(const struct crl_policy *p, FILE *out)
{
	char mem[32];

	human_size(mem, sizeof(mem), p->memory_max);
	heading(out, "Limits (each project)");
	fprintf(out, "- processes and threads: %llu (cgroup pids limit);\n"
		"- memory: %s (cgroup memory limit; files in /tmp count "
		"too);\n"
		"- CPU: %u%% of one CPU core (cgroup CPU quota);\n"
		"- open files: %llu per process (RLIMIT_NOFILE);\n"
		"- processes of its uid: %llu (RLIMIT_NPROC).\n",
		(unsigned long long)p->pids_max, mem, p->cpu_percent,
		(unsigned long long)p->nofile, (unsigned long long)p->nproc);
}

static void explain_helper(FILE *out)
{
	heading(out, "The helper's own privileges");
	fprintf(out, "corral-helper runs as root but keeps only these "
		"capabilities and drops every\nother one from all its sets, "
		"the bounding set included:\n");
	for (size_t i = 0; i < CRL_HELPER_NCAPS; i++)
		fprintf(out, "  %-17s %s\n", crl_helper_caps[i].name,
			crl_helper_caps[i].why);
	fprintf(out, "It confines itself with a seccomp allowlist of the system "
		"calls it uses,\nis non-dumpable for its whole life (no ptrace, "
		"no core dump), closes\ninherited file descriptors and clears "
		"its environment at start, never runs\na program as root, and "
		"checks every request against this policy again.\n");
	fprintf(out, "Sandboxes are built by its launcher, a process forked "
		"before the allowlist\nis loaded (building one takes mount, "
		"unshare and setns): it has the same\ncapabilities and no more, "
		"no_new_privs, never runs a program itself and\nnever reads a "
		"client's socket; it checks each request again.\n");
}

int crl_policy_explain(const struct crl_policy *p, FILE *out)
{
	uint8_t d[CRL_SHA256_LEN];
	char hex[65];

	if (crl_policy_digest(p, d) < 0)
		return -1;
	crl_sha256_hex(d, hex);
	fprintf(out, "corral policy audit\n");
	explain_access(p, out);
	explain_write(p, out);
	explain_read(p, out);
	explain_net(p, out);
	explain_privs(p, out);
	explain_seccomp(p, out);
	explain_limits(p, out);
	explain_helper(out);
	heading(out, "Policy digest");
	fprintf(out, "sha256:%s\n(the SHA-256 of \"corral-policy show\"; the "
		"helper reports the digest of\nthe policy it loaded, so the two "
		"can be compared)\n", hex);
	return ferror(out) ? -1 : 0;
}
