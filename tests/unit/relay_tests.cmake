rs_test(relay_catchup_test DEPS rs_relay LABELS unit TIMEOUT 60)
