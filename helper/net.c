/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A project's network (corral.conf(5) network), through rtnetlink with
 * libnl.
 *
 * none: the project's own network namespace with loopback up, nothing
 * else.
 *
 * veth: in addition a veth pair; the host end (crl<project uid>) joins
 * the policy's bridge, which the administrator made and gave
 * hub_address; the other end is eth0 inside.  eth0 gets one address of
 * the subnet as a /32, derived from the project's uid (so no state is
 * needed to hand addresses out, and uids are never shared), and exactly
 * one route: to hub_address, on-link.  With no route to anything else,
 * and neither CAP_NET_ADMIN (to add one) nor CAP_NET_RAW (to craft
 * frames), a project can send to the hub address and to nothing else:
 * not to other projects on the bridge, not beyond the host.  IPv6 is
 * disabled on eth0, so no link-local address reaches the bridge either.
 * The pair vanishes with the project's network namespace.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "helper/life.h"

#define INNER "eth0"

static struct nl_sock *route_socket(void)
{
	struct nl_sock *sk = nl_socket_alloc();

	if (sk && nl_connect(sk, NETLINK_ROUTE) < 0) {
		nl_socket_free(sk);
		sk = NULL;
	}
	return sk;
}

static int link_up(struct nl_sock *sk, const char *name)
{
	struct rtnl_link *link = NULL, *change = rtnl_link_alloc();
	int r = -1;

	if (change && rtnl_link_get_kernel(sk, 0, name, &link) == 0) {
		rtnl_link_set_flags(change, IFF_UP);
		r = rtnl_link_change(sk, link, change, 0) < 0 ? -1 : 0;
	}
	if (link)
		rtnl_link_put(link);
	if (change)
		rtnl_link_put(change);
	return r;
}

/* In the project's namespace, as root, before the uid switch. */
int net_loopback_up(struct life_err *e)
{
	struct nl_sock *sk = route_socket();
	int r;

	if (!sk)
		return life_fail(e, EIO, "loopback: no netlink socket");
	r = link_up(sk, "lo");
	nl_socket_free(sk);
	if (r < 0)
		return life_fail(e, EIO, "loopback: cannot bring it up");
	return 0;
}

/* The project's address: subnet + 2 + (uid - uid_first), inside the
 * subnet, neither its last address nor hub_address. */
int net_project_addr(const struct crl_policy *p, uid_t uid,
		     struct in_addr *out)
{
	uint32_t base = ntohl(p->subnet_addr.s_addr);
	uint64_t size = 1ULL << (32 - p->subnet_prefix);
	uint64_t idx = 2 + (uint64_t)(uid - p->uid_first);
	uint32_t a;

	if (idx >= size - 1)
		return -1;
	a = base + (uint32_t)idx;
	if (a == ntohl(p->hub_addr.s_addr))
		return -1;
	out->s_addr = htonl(a);
	return 0;
}

/* Named after the project's uid, which no other project has: "crl" and
 * at most 10 digits fit IFNAMSIZ. */
void net_host_name(uid_t uid, char *buf, size_t size)
{
	snprintf(buf, size, "crl%u", (unsigned int)uid);
}

/* In the launcher's child, in the host's namespace: the pair, its inner
 * end moved into the namespace of pid. */
int net_veth_create(const struct crl_policy *p, uid_t uid, pid_t pid,
		    struct life_err *e)
{
	struct nl_sock *sk = route_socket();
	struct rtnl_link *bridge = NULL, *veth = NULL, *peer;
	char name[IFNAMSIZ];
	int r = -1, err;

	if (!sk)
		return life_fail(e, EIO, "veth: no netlink socket");
	if (rtnl_link_get_kernel(sk, 0, p->bridge, &bridge) < 0) {
		life_fail(e, ENODEV, "veth: bridge %s does not exist (the "
			  "administrator creates it, with hub_address)",
			  p->bridge);
		goto out;
	}
	net_host_name(uid, name, sizeof(name));
	veth = rtnl_link_veth_alloc();
	if (!veth) {
		life_fail(e, ENOMEM, "veth: out of memory");
		goto out;
	}
	rtnl_link_set_name(veth, name);
	rtnl_link_set_master(veth, rtnl_link_get_ifindex(bridge));
	peer = rtnl_link_veth_get_peer(veth);
	rtnl_link_set_name(peer, INNER);
	rtnl_link_set_ns_pid(peer, pid);
	rtnl_link_put(peer);
	/* the pair of an earlier run goes with its namespace, which the
	 * kernel tears down asynchronously: give it a moment */
	for (int i = 0; i < 200; i++) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		err = rtnl_link_add(sk, veth, NLM_F_CREATE | NLM_F_EXCL);
		if (err != -NLE_EXIST)
			break;
		nanosleep(&ts, NULL);
	}
	if (err < 0) {
		life_fail(e, EIO, "veth %s: %s", name, nl_geterror(err));
		goto out;
	}
	if (link_up(sk, name) < 0) {
		life_fail(e, EIO, "veth %s: cannot bring it up", name);
		goto out;
	}
	r = 0;
out:
	if (veth)
		rtnl_link_put(veth);
	if (bridge)
		rtnl_link_put(bridge);
	nl_socket_free(sk);
	return r;
}

static int write_sysctl(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -1;
}

/* In the project's namespace, once the pair exists: eth0 without IPv6,
 * with its /32 address, up, and one on-link route to the hub. */
int net_veth_inside(const struct crl_policy *p, uid_t uid, struct life_err *e)
{
	struct nl_sock *sk = route_socket();
	struct rtnl_link *link = NULL;
	struct rtnl_addr *addr = NULL;
	struct rtnl_route *route = NULL;
	struct rtnl_nexthop *nh;
	struct nl_addr *local = NULL, *hub = NULL;
	struct in_addr mine;
	int ifindex, r = -1, err;

	if (!sk)
		return life_fail(e, EIO, "eth0: no netlink socket");
	if (net_project_addr(p, uid, &mine) < 0) {
		life_fail(e, ENOSPC, "the subnet has no address for this "
			  "project's uid");
		goto out;
	}
	if (write_sysctl("/proc/sys/net/ipv6/conf/" INNER "/disable_ipv6",
			 "1") < 0 && errno != ENOENT) {
		life_fail(e, errno, "eth0: cannot disable IPv6: %s",
			  strerror(errno));
		goto out;
	}
	if (rtnl_link_get_kernel(sk, 0, INNER, &link) < 0) {
		life_fail(e, ENODEV, "eth0 missing in the project");
		goto out;
	}
	ifindex = rtnl_link_get_ifindex(link);
	addr = rtnl_addr_alloc();
	local = nl_addr_build(AF_INET, &mine, sizeof(mine));
	hub = nl_addr_build(AF_INET, &p->hub_addr, sizeof(p->hub_addr));
	route = rtnl_route_alloc();
	nh = rtnl_route_nh_alloc();
	if (!addr || !local || !hub || !route || !nh) {
		if (nh)
			rtnl_route_nh_free(nh);
		life_fail(e, ENOMEM, "eth0: out of memory");
		goto out;
	}
	nl_addr_set_prefixlen(local, 32);
	rtnl_addr_set_ifindex(addr, ifindex);
	rtnl_addr_set_local(addr, local);
	err = rtnl_addr_add(sk, addr, 0);
	if (err == 0)
		err = link_up(sk, INNER) < 0 ? -NLE_FAILURE : 0;
	if (err < 0) {
		rtnl_route_nh_free(nh);
		life_fail(e, EIO, "eth0: %s", nl_geterror(err));
		goto out;
	}
	nl_addr_set_prefixlen(hub, 32);
	rtnl_route_set_family(route, AF_INET);
	rtnl_route_set_dst(route, hub);
	rtnl_route_set_scope(route, RT_SCOPE_LINK);
	rtnl_route_set_table(route, RT_TABLE_MAIN);
	rtnl_route_set_type(route, RTN_UNICAST);
	rtnl_route_set_pref_src(route, local);
	rtnl_route_nh_set_ifindex(nh, ifindex);
	rtnl_route_add_nexthop(route, nh);
	err = rtnl_route_add(sk, route, NLM_F_CREATE | NLM_F_EXCL);
	if (err < 0) {
		life_fail(e, EIO, "route to the hub: %s", nl_geterror(err));
		goto out;
	}
	r = 0;
out:
	if (route)
		rtnl_route_put(route);
	if (addr)
		rtnl_addr_put(addr);
	if (local)
		nl_addr_put(local);
	if (hub)
		nl_addr_put(hub);
	if (link)
		rtnl_link_put(link);
	nl_socket_free(sk);
	return r;
}
