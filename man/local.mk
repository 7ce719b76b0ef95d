# Man pages of the helper, corrald and the client; the policy and protocol pages are
# listed by policy/local.mk and common/local.mk.
dist_man_MANS += man/corral-helper.8 man/corralctl.1
dist_man_MANS += man/corrald.8 man/corrald.conf.5
