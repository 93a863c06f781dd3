package dev.snapflow.spark.actions;

import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The type names params may declare (the params schemas' type pattern) as Spark types. */
final class SparkTypes {
    private static final Pattern DECIMAL = Pattern.compile("decimal\\((\\d+),(\\d+)\\)");

    private SparkTypes() {
    }

    static DataType parse(String name) {
        switch (name) {
            case "string":
                return DataTypes.StringType;
            case "boolean":
                return DataTypes.BooleanType;
            case "int":
                return DataTypes.IntegerType;
            case "bigint":
                return DataTypes.LongType;
            case "float":
                return DataTypes.FloatType;
            case "double":
                return DataTypes.DoubleType;
            case "date":
                return DataTypes.DateType;
            case "timestamp":
                return DataTypes.TimestampType;
            default:
                Matcher m = DECIMAL.matcher(name);
                if (m.matches()) {
                    int precision = Integer.parseInt(m.group(1));
                    int scale = Integer.parseInt(m.group(2));
                    if (scale > precision) {
                        throw new IllegalArgumentException("decimal scale " + scale + " exceeds precision " + precision);
                    }
                    return DataTypes.createDecimalType(precision, scale);
                }
                throw new IllegalArgumentException("unknown type '" + name + "'");
        }
    }
}
