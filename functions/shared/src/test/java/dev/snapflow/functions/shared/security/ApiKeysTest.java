package dev.snapflow.functions.shared.security;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ApiKeysTest {
    private final ApiKeys keys = new ApiKeys("pepper-0123456789abcdef");

    @Test
    void hashIsTheHmacSha256OfTheKeyUnderThePepper() {
        // python3: hmac.new(b'pepper-0123456789abcdef', b'sfk_example', hashlib.sha256).hexdigest()
        assertThat(keys.hash("sfk_example")).isEqualTo("678a33ee63f72c49ab8693695cf5c518207fd94e9be561ca3c22c5f4a24b773c");
    }

    @Test
    void concurrentRequestsHashIndependently() throws Exception {
        List<String> samples = IntStream.range(0, 64).mapToObj(i -> ApiKeys.newKey()).toList();
        List<String> expected = samples.stream().map(keys::hash).toList();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> hashed = samples.stream().map(key -> pool.submit(() -> keys.hash(key))).toList();
            for (int i = 0; i < samples.size(); i++) {
                assertThat(hashed.get(i).get()).isEqualTo(expected.get(i));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aShortPepperIsRefusedByName() {
        assertThatThrownBy(() -> new ApiKeys("short")).hasMessageContaining("SNAPFLOW_API_KEY_PEPPER");
    }
}
