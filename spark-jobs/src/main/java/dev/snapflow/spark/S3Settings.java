package dev.snapflow.spark;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How the job reaches object storage, from its environment. With no endpoint it talks to AWS S3 with the
 * default credential chain (e.g. IRSA on EKS); with an endpoint (S3Proxy locally, MinIO, Ceph, ...) it uses
 * path-style access and, when given, static keys.
 *
 * @param endpoint  {@value #ENDPOINT_ENV}, or null for AWS S3
 * @param region    {@value #REGION_ENV} (default {@code us-east-1})
 * @param accessKey {@value #ACCESS_KEY_ENV}, or null for the default credential chain
 * @param secretKey {@value #SECRET_KEY_ENV}
 * @param pathStyle {@value #PATH_STYLE_ENV}; default true when an endpoint is set
 */
public record S3Settings(URI endpoint, String region, String accessKey, String secretKey, boolean pathStyle) {
    public static final String ENDPOINT_ENV = "SNAPFLOW_S3_ENDPOINT";
    public static final String REGION_ENV = "SNAPFLOW_S3_REGION";
    public static final String PATH_STYLE_ENV = "SNAPFLOW_S3_PATH_STYLE";
    public static final String ACCESS_KEY_ENV = "AWS_ACCESS_KEY_ID";
    public static final String SECRET_KEY_ENV = "AWS_SECRET_ACCESS_KEY";

    public S3Settings {
        if (region == null || region.isBlank()) {
            throw new IllegalArgumentException(REGION_ENV + " must not be empty");
        }
        if ((accessKey == null) != (secretKey == null)) {
            throw new IllegalArgumentException(ACCESS_KEY_ENV + " and " + SECRET_KEY_ENV + " are set together or not at all");
        }
        if (endpoint != null && (endpoint.getScheme() == null || endpoint.getHost() == null
                || !(endpoint.getScheme().equals("http") || endpoint.getScheme().equals("https")))) {
            throw new IllegalArgumentException(ENDPOINT_ENV + " must be an http(s)://host[:port] URL, was '" + endpoint + "'");
        }
    }

    /** @throws IllegalArgumentException with a one-line reason naming the variable */
    public static S3Settings fromEnvironment(Map<String, String> env) {
        String endpointText = blankToNull(env.get(ENDPOINT_ENV));
        URI endpoint;
        try {
            endpoint = endpointText == null ? null : URI.create(endpointText);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(ENDPOINT_ENV + " is not a URL: '" + endpointText + "'");
        }
        String region = blankToNull(env.get(REGION_ENV));
        String pathStyle = blankToNull(env.get(PATH_STYLE_ENV));
        if (pathStyle != null && !pathStyle.equals("true") && !pathStyle.equals("false")) {
            throw new IllegalArgumentException(PATH_STYLE_ENV + " must be true or false, was '" + pathStyle + "'");
        }
        return new S3Settings(endpoint, region == null ? "us-east-1" : region,
                blankToNull(env.get(ACCESS_KEY_ENV)), blankToNull(env.get(SECRET_KEY_ENV)),
                pathStyle == null ? endpoint != null : Boolean.parseBoolean(pathStyle));
    }

    /** The environment variables that reproduce these settings in a child process. */
    public Map<String, String> toEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        if (endpoint != null) {
            env.put(ENDPOINT_ENV, endpoint.toString());
        }
        env.put(REGION_ENV, region);
        env.put(PATH_STYLE_ENV, Boolean.toString(pathStyle));
        if (accessKey != null) {
            env.put(ACCESS_KEY_ENV, accessKey);
            env.put(SECRET_KEY_ENV, secretKey);
        }
        return env;
    }

    /** Hadoop configuration for s3a (Spark conf keys without the {@code spark.hadoop.} prefix). */
    public Map<String, String> hadoopOptions() {
        Map<String, String> conf = new LinkedHashMap<>();
        if (endpoint != null) {
            conf.put("fs.s3a.endpoint", endpoint.toString());
            conf.put("fs.s3a.connection.ssl.enabled", Boolean.toString(endpoint.getScheme().equals("https")));
        }
        conf.put("fs.s3a.endpoint.region", region);
        conf.put("fs.s3a.path.style.access", Boolean.toString(pathStyle));
        if (accessKey != null) {
            conf.put("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
            conf.put("fs.s3a.access.key", accessKey);
            conf.put("fs.s3a.secret.key", secretKey);
        }
        // Fail over to a retry of the step instead of hanging a pod on a dead endpoint.
        conf.put("fs.s3a.attempts.maximum", "3");
        conf.put("fs.s3a.retry.limit", "3");
        // Hadoop's floor: it raises anything lower to 15 s, with a warning in every job's log.
        conf.put("fs.s3a.connection.establish.timeout", "15s");
        return conf;
    }

    /** An SDK client for the job's own small objects (manifests); data goes through s3a. */
    public S3Client newClient() {
        var builder = S3Client.builder()
                .region(Region.of(region))
                .httpClientBuilder(ApacheHttpClient.builder().connectionTimeout(Duration.ofSeconds(5)))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(pathStyle).build())
                // Checksums only where S3 requires them: most S3-compatible stores reject the SDK's default trailers.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(accessKey == null ? DefaultCredentialsProvider.builder().build()
                        : StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)));
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        return builder.build();
    }

    @Override
    public String toString() {
        return "S3Settings[endpoint=" + endpoint + ", region=" + region + ", staticKeys=" + (accessKey != null)
                + ", pathStyle=" + pathStyle + "]";
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
