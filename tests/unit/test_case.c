/* Unit tests: case.json loading, lookups, and the exact text of validation errors. */
#include <sakimori/case.h>

#include "sk_test.h"

static void example_loads(void)
{
    sk_case *c = NULL;
    int rc = sk_case_load(&c, SK_DOCS_DIR "/formats/examples/case.json");
    CHECK_INT(rc, 0);
    if (rc) {
        fprintf(stderr, "  %s\n", sk_error_last());
        return;
    }
    CHECK_STR(sk_case_name(c), "AV management server intrusion");
    char t[SK_TIME_ISO_MAX];
    sk_time_format(t, sk_case_window_start(c), 0);
    CHECK_STR(t, "2026-04-30T15:00:00Z");
    CHECK_INT(sk_case_region_count(c), 3);
    CHECK_INT(sk_case_site_count(c), 4);
    const sk_case_site *s = sk_case_site_at(c, 2);
    CHECK_STR(s->name, "shanghai");
    CHECK_STR(s->region, "china");
    CHECK_STR(s->timezone, "Asia/Shanghai"); /* inherited from the region */
    CHECK_INT(s->domestic, 0);
    CHECK_STR(sk_case_site_at(c, 0)->timezone, "Asia/Tokyo"); /* from the case */
    sk_ip ip;
    sk_ip_parse("10.10.3.4", 9, &ip);
    CHECK_STR(sk_case_site_for_ip(c, &ip, NULL)->name, "nagoya-plant");
    int amb = 0;
    sk_ip_parse("192.168.10.7", 12, &ip); /* shanghai /16 vs munich /24: the /24 wins */
    CHECK_STR(sk_case_site_for_ip(c, &ip, &amb)->name, "munich");
    CHECK_INT(amb, 0);
    sk_ip_parse("8.8.8.8", 7, &ip);
    CHECK(sk_case_site_for_ip(c, &ip, NULL) == NULL);
    CHECK_INT(sk_case_warning_count(c), 1);
    CHECK_INT(sk_case_warning_at(c, 0)->line, 29); /* munich's 192.168.10.0/24 */
    CHECK_STR(sk_case_warning_at(c, 0)->text,
              "sites 'shanghai' and 'munich' share addresses (192.168.0.0/16 and 192.168.10.0/24): "
              "addresses there are attributed to a site by the source that logged them");
    CHECK(sk_case_join_tolerance(c, "endpoint_network") == 2.0);
    CHECK(sk_case_join_tolerance(c, "dhcp_lease") == 120.0);
    CHECK(sk_case_join_tolerance(c, "endpoint_dns") == 5.0); /* default */
    CHECK(sk_case_join_tolerance(c, "nonsense") < 0);
    CHECK(sk_case_known_good(c, "sha256", "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08"));
    CHECK(sk_case_known_good(c, "host", "sccm01"));
    CHECK(!sk_case_known_good(c, "host", "sccm02"));
    CHECK_INT(sk_case_source_count(c), 4);
    CHECK_STR(sk_case_source_at(c, 1)->timezone, "Asia/Shanghai");
    CHECK(sk_case_source_at(c, 2)->timezone == NULL);
    sk_case_free(c);
}

static void same_prefix_is_ambiguous(void)
{
    const char *j = "{\"schema\":\"sakimori/case/1\",\"name\":\"x\","
                    "\"window\":{\"start\":\"2026-01-01T00:00:00Z\",\"end\":\"2026-02-01T00:00:00Z\"},"
                    "\"regions\":[{\"name\":\"r\",\"domestic\":false,\"sites\":["
                    "{\"name\":\"a\",\"subnets\":[\"192.168.1.0/24\"]},"
                    "{\"name\":\"b\",\"subnets\":[\"192.168.1.0/24\"]}]}]}";
    sk_case *c;
    CHECK_INT(sk_case_parse(&c, j, strlen(j), "x.json"), 0);
    sk_ip ip;
    sk_ip_parse("192.168.1.9", 11, &ip);
    int amb = 0;
    CHECK(sk_case_site_for_ip(c, &ip, &amb) == NULL);
    CHECK_INT(amb, 1);
    CHECK_STR(sk_tz_name(sk_case_default_tz(c)), "UTC");
    sk_case_free(c);
}

static void errors_name_file_line_key(void)
{
    const char *head = "{\"schema\":\"sakimori/case/1\",\"name\":\"x\",\n"
                       "\"window\":{\"start\":\"2026-01-01T00:00:00Z\",\"end\":\"2026-02-01T00:00:00Z\"},\n";
    struct {
        const char *tail, *msg;
    } cases[] = {
        {"\"regions\":[]}", "c.json:3: key 'regions': must list at least one region"},
        {"\"regions\":[{\"name\":\"r\",\"domestic\":true,\"sites\":[\n{\"name\":\"a\",\"subnets\":[\"10.0.0.0/33\"]}]}]}",
         "c.json:4: key 'regions[0].sites[0].subnets[0]': '10.0.0.0/33' is not an address prefix with its host bits clear (e.g. 10.20.0.0/16)"},
        {"\"regions\":[{\"name\":\"r\",\"domestic\":true,\"sites\":[\n{\"name\":\"a\",\"subnets\":[\"10.1.2.3\"]}]}]}",
         "c.json:4: key 'regions[0].sites[0].subnets[0]': '10.1.2.3' is not an address prefix with its host bits clear (e.g. 10.20.0.0/16)"},
        {"\"regions\":[{\"name\":\"r\",\"domestic\":true,\"sites\":[{\"name\":\"a\",\"subnets\":[],\"timezone\":\"Asia/Tokio\"}]}]}",
         "c.json:3: key 'regions[0].sites[0].timezone': unknown time zone 'Asia/Tokio' (an IANA name such as Asia/Tokyo, UTC, or +09:00)"},
        {"\"regions\":[{\"name\":\"r\",\"domestic\":\"yes\",\"sites\":[]}]}",
         "c.json:3: key 'regions[0].domestic': must be a boolean"},
        {"\"regions\":[{\"name\":\"r\",\"sites\":[]}]}",
         "c.json:3: key 'regions[0]': missing required key 'domestic'"},
        {"\"tmezone\":\"UTC\",\"regions\":[]}", "c.json:3: key 'tmezone': unknown key"},
        {"\"regions\":[{\"name\":\"bad name\",\"domestic\":true,\"sites\":[]}]}",
         "c.json:3: key 'regions[0].name': 'bad name' is not a name (1-64 of A-Z a-z 0-9 . _ -, starting alphanumeric)"},
        {"\"regions\":[{\"name\":\"r\",\"domestic\":true,\"sites\":[{\"name\":\"a\",\"subnets\":[]},{\"name\":\"a\",\"subnets\":[]}]}]}",
         "c.json:3: key 'regions[0].sites[1].name': site 'a' is defined twice"},
        {"\"regions\":[{\"name\":\"r\",\"domestic\":true,\"sites\":[{\"name\":\"a\",\"subnets\":[]}]}],\n"
         "\"sources\":[{\"name\":\"d\",\"kind\":\"dhcpd-syslog\",\"path\":\"x\",\"site\":\"b\"}]}",
         "c.json:4: key 'sources[0].site': no site named 'b' in regions[].sites[]"},
        {"\"regions\":[{\"name\":\"r\",\"domestic\":true,\"sites\":[{\"name\":\"a\",\"subnets\":[]}]}],\n"
         "\"known_good\":{\"sha256\":[\"abc\"]}}",
         "c.json:4: key 'known_good.sha256[0]': 'abc' is not a SHA-256 in hex"},
        {"\"regions\":[{\"name\":\"r\",\"domestic\":true,\"sites\":[{\"name\":\"a\",\"subnets\":[]}]}],\n"
         "\"join_tolerance_s\":{\"dhcp_lease\":-1}}",
         "c.json:4: key 'join_tolerance_s.dhcp_lease': must be between 0 and 86400 seconds"},
        {"\"regions\":[{\"name\":\"r\",\"domestic\":true,\"sites\":[{\"name\":\"a\",\"subnets\":[]}]}],\n"
         "\"sources\":[{\"name\":\"d\",\"kind\":\"squid\",\"path\":\"/var/log/x\"}]}",
         "c.json:4: key 'sources[0].path': '/var/log/x' must be relative to the case folder"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char doc[2048];
        snprintf(doc, sizeof doc, "%s%s", head, cases[i].tail);
        sk_case *c = NULL;
        CHECK_INT(sk_case_parse(&c, doc, strlen(doc), "c.json"), SK_EFORMAT);
        CHECK(c == NULL);
        CHECK_STR(sk_error_last(), cases[i].msg);
    }
    /* window problems and schema identifier */
    const char *w = "{\"schema\":\"sakimori/case/1\",\"name\":\"x\",\"window\":{\"start\":\"2026-02-01T00:00:00Z\",\"end\":\"2026-01-01T00:00:00\"},\"regions\":[]}";
    sk_case *c;
    CHECK_INT(sk_case_parse(&c, w, strlen(w), "w.json"), SK_EFORMAT);
    CHECK_STR(sk_error_last(), "w.json:1: key 'window.end': '2026-01-01T00:00:00' is not an ISO 8601 time with a zone (e.g. 2026-05-01T00:00:00Z or 2026-05-01T09:00:00+09:00)");
    const char *s = "{\"schema\":\"sakimori/case/2\"}";
    CHECK_INT(sk_case_parse(&c, s, strlen(s), "s.json"), SK_EFORMAT);
    CHECK_STR(sk_error_last(), "s.json:1: key 'schema': 'sakimori/case/2' is not sakimori/case/1");
    CHECK_INT(sk_case_load(&c, "/nonexistent/case.json"), SK_EIO);
    CHECK_STR(sk_error_last(), "/nonexistent/case.json: cannot open: No such file or directory");
}

SK_TEST_MAIN(T(example_loads), T(same_prefix_is_ambiguous), T(errors_name_file_line_key))
