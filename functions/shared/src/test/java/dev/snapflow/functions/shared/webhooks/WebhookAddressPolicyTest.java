package dev.snapflow.functions.shared.webhooks;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WebhookAddressPolicyTest {
    /** Names this test's DNS knows; IP literals are parsed, anything else does not resolve. */
    private static final Map<String, List<String>> DNS = Map.of(
            "hooks.example.com", List.of("93.184.216.34"),
            "rebind.example.com", List.of("127.0.0.1"),
            "mixed.example.com", List.of("93.184.216.34", "10.0.0.5"),
            "v6.example.com", List.of("2606:2800:220:1:248:1893:25c8:1946"),
            "internal-hooks.corp", List.of("10.1.2.3"));

    private static final HostResolver FAKE_DNS = host -> {
        List<String> known = DNS.get(host);
        if (known == null && !host.matches("[0-9a-f.:]+")) {
            throw new UnknownHostException(host);
        }
        List<InetAddress> addresses = new java.util.ArrayList<>();
        for (String literal : known == null ? List.of(host) : known) {
            addresses.add(InetAddress.getByName(literal));
        }
        return addresses;
    };

    private static WebhookAddressPolicy policy(boolean httpsOnly, String allowList) {
        return new WebhookAddressPolicy(new WebhookPolicySettings(httpsOnly,
                WebhookPolicySettings.parseAllowList(allowList), 200), FAKE_DNS);
    }

    private static WebhookUrlRule refusal(WebhookAddressPolicy policy, String url) {
        try {
            policy.checkAtSubmission(url);
        } catch (WebhookUrlRefused e) {
            return e.rule();
        }
        return null;
    }

    @ParameterizedTest
    @CsvSource({
            "http://127.0.0.1:8080/hook, loopback_address",
            "http://127.1.2.3/hook, loopback_address",
            "http://[::1]:8080/hook, loopback_address",
            "http://[0:0:0:0:0:0:0:1]/hook, loopback_address",
            "http://[::ffff:127.0.0.1]/hook, loopback_address",
            "http://[::ffff:7f00:1]/hook, loopback_address",
            "http://169.254.169.254/latest/meta-data/, link_local_address",
            "http://[fe80::1]/hook, link_local_address",
            "http://[::ffff:169.254.169.254]/hook, link_local_address",
            "http://10.0.0.1/hook, private_address",
            "http://172.16.0.1/hook, private_address",
            "http://172.31.255.254/hook, private_address",
            "http://192.168.1.1/hook, private_address",
            "http://[fc00::1]/hook, private_address",
            "http://[fd12:3456::1]/hook, private_address",
            "http://[::ffff:10.0.0.1]/hook, private_address",
            "http://[::ffff:192.168.0.1]/hook, private_address",
            "http://100.64.0.1/hook, cgnat_address",
            "http://100.127.255.254/hook, cgnat_address",
            "http://100.100.100.200/hook, cgnat_address",
            "http://224.0.0.1/hook, multicast_address",
            "http://[ff02::1]/hook, multicast_address",
            "http://0.0.0.0/hook, unspecified_address",
            "http://[::]/hook, unspecified_address",
            "http://255.255.255.255/hook, broadcast_address",
            "http://240.0.0.1/hook, reserved_address",
            "http://192.0.0.192/hook, reserved_address",
            "http://[64:ff9b::7f00:1]/hook, loopback_address",
            "http://[2002:a9fe:a9fe::1]/hook, link_local_address",
            "http://metadata.google.internal/computeMetadata/v1/, metadata_host",
            "http://METADATA.GOOGLE.INTERNAL./computeMetadata/v1/, metadata_host",
            "http://metadata/computeMetadata/v1/, metadata_host",
            "http://instance-data/latest/, metadata_host",
            "http://rebind.example.com/hook, loopback_address",
            "http://mixed.example.com/hook, private_address",
            "ftp://hooks.example.com/hook, scheme_not_allowed",
            "file:///etc/passwd, scheme_not_allowed",
            "hooks.example.com/hook, scheme_not_allowed",
            "http://user:secret@hooks.example.com/hook, userinfo_not_allowed",
            "http://user@hooks.example.com/hook, userinfo_not_allowed",
            "http://hooks example.com/hook, malformed_url",
            "http:///hook, malformed_url",
            "http://exa_mple.com/hook, malformed_url",
    })
    void forbiddenUrlIsRefusedWithItsRule(String url, String rule) {
        assertThat(refusal(policy(false, ""), url)).extracting(WebhookUrlRule::code).isEqualTo(rule);
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://hooks.example.com/hook", "https://hooks.example.com:8443/hook?x=1",
            "https://93.184.216.34/hook", "https://v6.example.com/hook", "https://[2606:2800:220:1:248:1893:25c8:1946]/hook",
            "https://100.128.0.1/hook", "https://172.32.0.1/hook", "https://not-resolvable-now.example.org/hook"})
    void publicOrNotYetResolvableUrlPassesAtSubmission(String url) {
        assertThatCode(() -> policy(false, "").checkAtSubmission(url)).doesNotThrowAnyException();
    }

    @Test
    void hostnameThatResolvesToLoopbackIsRefused() throws Exception {
        WebhookAddressPolicy withSystemDns = new WebhookAddressPolicy(new WebhookPolicySettings(false, List.of(), 2048),
                HostResolver.system(Duration.ofSeconds(5)));

        assertThatThrownBy(() -> withSystemDns.checkAtSubmission("http://localhost:8080/hook"))
                .isInstanceOf(WebhookUrlRefused.class)
                .hasMessageContaining("localhost resolves to")
                .extracting(e -> ((WebhookUrlRefused) e).rule()).isEqualTo(WebhookUrlRule.LOOPBACK_ADDRESS);
        assertThatThrownBy(() -> withSystemDns.addressesFor("localhost", 8080)).isInstanceOf(WebhookUrlRefused.class);
    }

    @Test
    void ipv6FormsThatJavaKeepsAsIpv6AreClassifiedByTheirEmbeddedIpv4Address() throws Exception {
        assertThat(WebhookAddressPolicy.forbiddenCategory(ipv6("00000000000000000000ffff7f000001")))
                .contains(WebhookUrlRule.LOOPBACK_ADDRESS); // ::ffff:127.0.0.1 as a real Inet6Address
        assertThat(WebhookAddressPolicy.forbiddenCategory(ipv6("00000000000000000000ffffa9fea9fe")))
                .contains(WebhookUrlRule.LINK_LOCAL_ADDRESS);
        assertThat(WebhookAddressPolicy.forbiddenCategory(ipv6("000000000000000000000000c0a80001")))
                .contains(WebhookUrlRule.PRIVATE_ADDRESS); // IPv4-compatible ::192.168.0.1
        assertThat(WebhookAddressPolicy.forbiddenCategory(ipv6("0064ff9b00000000000000000a000001")))
                .contains(WebhookUrlRule.PRIVATE_ADDRESS); // NAT64 64:ff9b::10.0.0.1
        assertThat(WebhookAddressPolicy.forbiddenCategory(ipv6("00000000000000000000ffff5db8d822"))).isEmpty();
    }

    private static InetAddress ipv6(String hex) throws UnknownHostException {
        return Inet6Address.getByAddress(null, HexFormat.of().parseHex(hex), null);
    }

    @Test
    void productionModeRefusesPlainHttp() {
        assertThat(refusal(policy(true, ""), "http://hooks.example.com/hook")).isEqualTo(WebhookUrlRule.SCHEME_NOT_ALLOWED);
        assertThat(refusal(policy(true, ""), "https://hooks.example.com/hook")).isNull();
        // the allow-list exempts from the address rules, never from https-only
        assertThat(refusal(policy(true, "10.0.0.0/8"), "http://internal-hooks.corp/hook"))
                .isEqualTo(WebhookUrlRule.SCHEME_NOT_ALLOWED);
    }

    @Test
    void urlLongerThanTheLimitIsRefused() {
        String url = "https://hooks.example.com/" + "a".repeat(200);
        assertThat(refusal(policy(false, ""), url)).isEqualTo(WebhookUrlRule.URL_TOO_LONG);
    }

    @Test
    void allowListedHostPortOrBlockLetsAnInternalReceiverThrough() {
        assertThat(refusal(policy(false, "127.0.0.1:9999"), "http://127.0.0.1:9999/hook")).isNull();
        assertThat(refusal(policy(false, "127.0.0.1:9999"), "http://127.0.0.1:9998/hook"))
                .isEqualTo(WebhookUrlRule.LOOPBACK_ADDRESS);
        // host entries match the URL's host as written: localhost is not 127.0.0.1
        assertThat(refusal(policy(false, "127.0.0.1:9999"), "http://rebind.example.com:9999/hook"))
                .isEqualTo(WebhookUrlRule.LOOPBACK_ADDRESS);
        assertThat(refusal(policy(false, "internal-hooks.corp"), "http://internal-hooks.corp:8080/hook")).isNull();
        assertThat(refusal(policy(false, "10.1.0.0/16"), "http://internal-hooks.corp/hook")).isNull();
        assertThat(refusal(policy(false, "10.2.0.0/16"), "http://internal-hooks.corp/hook"))
                .isEqualTo(WebhookUrlRule.PRIVATE_ADDRESS);
        assertThat(refusal(policy(false, "[::1]:9999"), "http://[::1]:9999/hook")).isNull();
        assertThat(refusal(policy(false, "::1/128"), "http://[::1]:1234/hook")).isNull();
        // an allowed block does not excuse the other addresses of a host
        assertThat(refusal(policy(false, "10.0.0.0/8"), "http://rebind.example.com/hook"))
                .isEqualTo(WebhookUrlRule.LOOPBACK_ADDRESS);
    }

    @Test
    void metadataHostStaysRefusedWhateverTheAllowList() {
        assertThat(refusal(policy(false, "0.0.0.0/0"), "http://metadata.google.internal/")).isEqualTo(WebhookUrlRule.METADATA_HOST);
        assertThatThrownBy(() -> WebhookPolicySettings.parseAllowList("metadata.google.internal"))
                .hasMessageContaining("metadata");
    }

    @Test
    void deliveryCheckReturnsExactlyTheAddressesItChecked() throws Exception {
        assertThat(policy(false, "").addressesFor("hooks.example.com", 443))
                .containsExactly(InetAddress.getByName("93.184.216.34"));
        assertThatThrownBy(() -> policy(false, "").addressesFor("rebind.example.com", 443))
                .isInstanceOf(WebhookUrlRefused.class).hasMessageContaining("rebind.example.com resolves to 127.0.0.1");
        assertThatThrownBy(() -> policy(false, "").addressesFor("nowhere.example.org", 443))
                .isInstanceOf(UnknownHostException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0/33", "10.0.0/8", "host:0", "host:70000", "host:abc", "[::1", "a b", "::1/129",
            "10.0.0.0/x", "metadata"})
    void invalidAllowListEntryIsRefusedWithItsText(String entry) {
        assertThatThrownBy(() -> WebhookPolicySettings.parseAllowList("hooks.internal, " + entry))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(entry.trim());
    }
}
