package dev.snapflow.functions.launch.backend.kubernetes;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The API server's validation rules that the objects launch creates must pass, ported from Kubernetes
 * (k8s.io/apimachinery/pkg/util/validation/validation.go, k8s.io/apimachinery/pkg/api/resource/quantity.go) and
 * its $(VAR) expansion of container args and env values (third_party/forked/golang/expansion/expand.go). The
 * fabric8 mock server checks none of this; a real API server rejects the object, and launch fails the job.
 * Each method returns the error messages (empty when valid), as the Go functions do.
 */
final class KubernetesApiRules {
    private KubernetesApiRules() {
    }

    // validation.go: qualifiedNameFmt, labelValueFmt, dns1123LabelFmt, dns1123SubdomainFmt, dns1035LabelFmt
    private static final String QNAME_CHAR_FMT = "[A-Za-z0-9]";
    private static final String QNAME_EXT_CHAR_FMT = "[-A-Za-z0-9_.]";
    private static final String QUALIFIED_NAME_FMT = "(" + QNAME_CHAR_FMT + QNAME_EXT_CHAR_FMT + "*)?" + QNAME_CHAR_FMT;
    private static final Pattern QUALIFIED_NAME = Pattern.compile("^" + QUALIFIED_NAME_FMT + "$");
    static final int QUALIFIED_NAME_MAX_LENGTH = 63;
    private static final String LABEL_VALUE_FMT = "(" + QUALIFIED_NAME_FMT + ")?";
    private static final Pattern LABEL_VALUE = Pattern.compile("^" + LABEL_VALUE_FMT + "$");
    static final int LABEL_VALUE_MAX_LENGTH = 63;
    private static final String DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private static final Pattern DNS1123_LABEL = Pattern.compile("^" + DNS1123_LABEL_FMT + "$");
    static final int DNS1123_LABEL_MAX_LENGTH = 63;
    private static final String DNS1123_SUBDOMAIN_FMT = DNS1123_LABEL_FMT + "(\\." + DNS1123_LABEL_FMT + ")*";
    private static final Pattern DNS1123_SUBDOMAIN = Pattern.compile("^" + DNS1123_SUBDOMAIN_FMT + "$");
    static final int DNS1123_SUBDOMAIN_MAX_LENGTH = 253;
    private static final Pattern DNS1035_LABEL = Pattern.compile("^[a-z]([-a-z0-9]*[a-z0-9])?$");
    static final int DNS1035_LABEL_MAX_LENGTH = 63;
    // IANA_SVC_NAME: validation.go IsValidPortName
    private static final Pattern PORT_NAME_CHARS = Pattern.compile("^[-a-z0-9]+$");
    private static final Pattern PORT_NAME_ONE_LETTER = Pattern.compile("^.*[a-z].*$");
    // validation.go IsEnvVarName (strict form; RelaxedEnvironmentVariableValidation only widens it)
    private static final Pattern ENV_VAR_NAME = Pattern.compile("^[-._a-zA-Z][-._a-zA-Z0-9]*$");

    /** IsQualifiedName: label and annotation keys, {@code [prefix/]name}. */
    static List<String> isQualifiedName(String value) {
        List<String> errs = new ArrayList<>();
        String[] parts = value.split("/", -1);
        String name;
        switch (parts.length) {
            case 1 -> name = parts[0];
            case 2 -> {
                String prefix = parts[0];
                name = parts[1];
                if (prefix.isEmpty()) {
                    errs.add("prefix part must be non-empty");
                } else {
                    isDns1123Subdomain(prefix).forEach(msg -> errs.add("prefix part " + msg));
                }
            }
            default -> {
                errs.add("a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start "
                        + "and end with an alphanumeric character, with an optional DNS subdomain prefix and '/'");
                return errs;
            }
        }
        if (name.isEmpty()) {
            errs.add("name part must be non-empty");
        } else if (name.length() > QUALIFIED_NAME_MAX_LENGTH) {
            errs.add("name part must be no more than " + QUALIFIED_NAME_MAX_LENGTH + " characters");
        }
        if (!QUALIFIED_NAME.matcher(name).matches()) {
            errs.add("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
                    + "with an alphanumeric character (regex '" + QUALIFIED_NAME_FMT + "')");
        }
        return errs;
    }

    /** IsValidLabelValue. */
    static List<String> isValidLabelValue(String value) {
        List<String> errs = new ArrayList<>();
        if (value.length() > LABEL_VALUE_MAX_LENGTH) {
            errs.add("must be no more than " + LABEL_VALUE_MAX_LENGTH + " characters");
        }
        if (!LABEL_VALUE.matcher(value).matches()) {
            errs.add("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
                    + "and must start and end with an alphanumeric character (regex '" + LABEL_VALUE_FMT + "')");
        }
        return errs;
    }

    /** IsDNS1123Label: most object names that are one DNS label (containers, ...). */
    static List<String> isDns1123Label(String value) {
        List<String> errs = new ArrayList<>();
        if (value.length() > DNS1123_LABEL_MAX_LENGTH) {
            errs.add("must be no more than " + DNS1123_LABEL_MAX_LENGTH + " characters");
        }
        if (!DNS1123_LABEL.matcher(value).matches()) {
            errs.add("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
                    + "start and end with an alphanumeric character (regex '" + DNS1123_LABEL_FMT + "')");
        }
        return errs;
    }

    /** IsDNS1123Subdomain: names of Jobs, Secrets and most objects. */
    static List<String> isDns1123Subdomain(String value) {
        List<String> errs = new ArrayList<>();
        if (value.length() > DNS1123_SUBDOMAIN_MAX_LENGTH) {
            errs.add("must be no more than " + DNS1123_SUBDOMAIN_MAX_LENGTH + " characters");
        }
        if (!DNS1123_SUBDOMAIN.matcher(value).matches()) {
            errs.add("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
                    + "and must start and end with an alphanumeric character (regex '" + DNS1123_SUBDOMAIN_FMT + "')");
        }
        return errs;
    }

    /** IsDNS1035Label: Service names. */
    static List<String> isDns1035Label(String value) {
        List<String> errs = new ArrayList<>();
        if (value.length() > DNS1035_LABEL_MAX_LENGTH) {
            errs.add("must be no more than " + DNS1035_LABEL_MAX_LENGTH + " characters");
        }
        if (!DNS1035_LABEL.matcher(value).matches()) {
            errs.add("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
                    + "alphabetic character, and end with an alphanumeric character");
        }
        return errs;
    }

    /** IsValidPortName: IANA_SVC_NAME, container and service port names. */
    static List<String> isValidPortName(String port) {
        List<String> errs = new ArrayList<>();
        if (port.length() > 15) {
            errs.add("must be no more than 15 characters");
        }
        if (!PORT_NAME_CHARS.matcher(port).matches()) {
            errs.add("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
        }
        if (!PORT_NAME_ONE_LETTER.matcher(port).matches()) {
            errs.add("must contain at least one letter (a-z)");
        }
        if (port.contains("--")) {
            errs.add("must not contain consecutive hyphens");
        }
        if (!port.isEmpty() && (port.charAt(0) == '-' || port.charAt(port.length() - 1) == '-')) {
            errs.add("must not begin or end with a hyphen");
        }
        return errs;
    }

    /** IsEnvVarName (with hasChDirPrefix). */
    static List<String> isEnvVarName(String value) {
        List<String> errs = new ArrayList<>();
        if (!ENV_VAR_NAME.matcher(value).matches()) {
            errs.add("a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or "
                    + "'.', and must not start with a digit");
        }
        if (value.equals(".")) {
            errs.add("must not be '.'");
        } else if (value.equals("..")) {
            errs.add("must not be '..'");
        } else if (value.startsWith("..")) {
            errs.add("must not start with '..'");
        }
        return errs;
    }

    /**
     * resource.ParseQuantity: {@code <signedNumber><suffix>} where the number is digits with an optional fraction
     * and the suffix is a binary SI suffix (Ki..Ei), a decimal SI suffix (n u m "" k M G T P E) or a decimal
     * exponent ({@code e3}, {@code E-2}).
     */
    static List<String> isQuantity(String value) {
        // quantity.go parseQuantityString, as a pattern: sign, digits, optional '.' and digits, then the suffix.
        Pattern quantity = Pattern.compile("^[+-]?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))"
                + "(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$");
        return value.isEmpty() || !quantity.matcher(value).matches()
                ? List.of("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")
                : List.of();
    }

    /**
     * expansion.MappingFuncFor: a variable found in one of the maps is replaced by its value, any other
     * reference stays as written ({@code $(NAME)}).
     */
    @SafeVarargs
    static Function<String, String> mappingFuncFor(Map<String, String>... context) {
        return input -> {
            for (Map<String, String> vars : context) {
                String value = vars.get(input);
                if (value != null) {
                    return value;
                }
            }
            return "$(" + input + ")";
        };
    }

    /**
     * expansion.Expand, byte for byte as Go does it over the UTF-8 bytes of the input: {@code $(NAME)} is
     * replaced through {@code mapping}, {@code $$} becomes {@code $}, an unclosed {@code $(} and a {@code $}
     * before anything else stay as they are.
     */
    static String expand(String inputString, Function<String, String> mapping) {
        byte[] input = inputString.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int checkpoint = 0;
        for (int cursor = 0; cursor < input.length; cursor++) {
            if (input[cursor] == '$' && cursor + 1 < input.length) {
                buf.write(input, checkpoint, cursor - checkpoint);
                ReadName read = tryReadVariableName(input, cursor + 1);
                if (read.isVar) {
                    buf.writeBytes(mapping.apply(new String(read.read, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
                } else {
                    buf.writeBytes(read.read);
                }
                cursor += read.advance;
                checkpoint = cursor + 1;
            }
        }
        buf.write(input, checkpoint, input.length - checkpoint);
        return buf.toString(StandardCharsets.UTF_8);
    }

    private record ReadName(byte[] read, boolean isVar, int advance) {
    }

    private static ReadName tryReadVariableName(byte[] input, int from) {
        byte first = input[from];
        if (first == '$') {
            return new ReadName(new byte[] {'$'}, false, 1); // escaped operator
        }
        if (first == '(') {
            for (int i = from + 1; i < input.length; i++) {
                if (input[i] == ')') {
                    byte[] name = java.util.Arrays.copyOfRange(input, from + 1, i);
                    return new ReadName(name, true, i - from + 1);
                }
            }
            return new ReadName(new byte[] {'$', '('}, false, 1); // incomplete reference
        }
        // Go's string(input[0]) makes a rune of the byte: U+0000..U+00FF, UTF-8 encoded.
        byte[] rune = String.valueOf((char) (first & 0xff)).getBytes(StandardCharsets.UTF_8);
        byte[] read = new byte[1 + rune.length];
        read[0] = '$';
        System.arraycopy(rune, 0, read, 1, rune.length);
        return new ReadName(read, false, 1);
    }
}
