package dev.snapflow.spark.actions;

import com.google.re2j.Pattern;
import dev.snapflow.contracts.params.RulePatterns;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;

import static org.apache.spark.sql.functions.udf;

/**
 * {@code rlike} in a linear-time engine: true when RE2/J finds the pattern anywhere in the value (the same
 * "find" semantics as Spark's {@code rlike}), null for null. A tenant's pattern never reaches Spark's
 * backtracking java.util.regex, where {@code (a+)+$} over a long value runs for minutes per row.
 */
final class RegexMatch implements UDF1<String, Boolean> {
    private static final long serialVersionUID = 1L;
    private final String pattern;
    private transient Pattern compiled;

    private RegexMatch(String pattern) {
        this.pattern = pattern;
        this.compiled = RulePatterns.compile(pattern);
    }

    /** A column that is true where {@code value} (cast to text) contains a match of {@code pattern}. */
    static Column matches(Column value, String pattern) {
        UserDefinedFunction function = udf(new RegexMatch(pattern), DataTypes.BooleanType)
                .withName("re2_find");
        return function.apply(value.cast(DataTypes.StringType));
    }

    @Override
    public Boolean call(String value) {
        if (value == null) {
            return null;
        }
        if (compiled == null) {
            compiled = RulePatterns.compile(pattern); // after deserialisation on an executor
        }
        return compiled.matcher(value).find();
    }
}
