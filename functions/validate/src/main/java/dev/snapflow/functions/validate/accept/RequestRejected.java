package dev.snapflow.functions.validate.accept;

import java.util.List;

/**
 * A request that will not be accepted, with the HTTP status it maps to, the field at fault and a reason tag
 * for metrics ({@code snapflow.processes.rejected{reason}}).
 */
public class RequestRejected extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String title;
    private final String reason;
    private final transient List<FieldProblem> problems;

    public record FieldProblem(String field, String message) {
    }

    public RequestRejected(int status, String title, String reason, String field, String message) {
        this(status, title, reason, List.of(new FieldProblem(field, message)));
    }

    public RequestRejected(int status, String title, String reason, List<FieldProblem> problems) {
        super(problems.isEmpty() ? title : problems.get(0).field() + ": " + problems.get(0).message()
                + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : ""));
        this.status = status;
        this.title = title;
        this.reason = reason;
        this.problems = List.copyOf(problems);
    }

    public static RequestRejected badRequest(String field, String message) {
        return new RequestRejected(400, "Bad request", "bad_request", field, message);
    }

    public static RequestRejected unprocessable(String reason, String field, String message) {
        return new RequestRejected(422, "Request cannot be processed", reason, field, message);
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public String reason() {
        return reason;
    }

    public List<FieldProblem> problems() {
        return problems;
    }
}
