package me.bittorrent.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.JsonMappingException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import me.bittorrent.engine.DuplicateTorrentException;
import me.bittorrent.engine.InvalidRequestException;
import me.bittorrent.engine.TorrentNotFoundException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.stream.Collectors;

/** Turns every failure into {@code {"detail": "..."}} with the right status; never a stack trace to the client. */
public class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @jakarta.inject.Inject
    UploadFolder uploadFolder;

    @ServerExceptionMapper
    public Response notFound(TorrentNotFoundException e) {
        return error(Response.Status.NOT_FOUND, new ApiError("Download not found"));
    }

    @ServerExceptionMapper
    public Response duplicate(DuplicateTorrentException e) {
        return error(Response.Status.CONFLICT, new ApiError(e.getMessage(), e.torrentId()));
    }

    @ServerExceptionMapper
    public Response stateNotWritable(me.bittorrent.engine.StateNotWritableException e) {
        return error(Response.Status.SERVICE_UNAVAILABLE, new ApiError(e.getMessage()));
    }

    /** Right after a start, before the stored torrents are restored: 503, try again in a moment. */
    @ServerExceptionMapper
    public Response starting(me.bittorrent.engine.StartingException e) {
        return Response.fromResponse(error(Response.Status.SERVICE_UNAVAILABLE, new ApiError(e.getMessage())))
                .header("Retry-After", "1").build();
    }

    /** A change that does not fit the torrent's state now (being moved, stopping ...): 409 with the reason. */
    @ServerExceptionMapper
    public Response conflict(me.bittorrent.engine.ConflictException e) {
        return error(Response.Status.CONFLICT, new ApiError(e.getMessage()));
    }

    @ServerExceptionMapper
    public Response invalid(InvalidRequestException e) {
        return error(Response.Status.BAD_REQUEST, new ApiError(e.getMessage()));
    }

    @ServerExceptionMapper
    public Response malformedJson(JsonProcessingException e) {
        return error(Response.Status.BAD_REQUEST, new ApiError(describe(e)));
    }

    /** More specific than Quarkus' own mapper for this type, which answers with an empty body. */
    @ServerExceptionMapper
    public Response mismatchedJson(MismatchedInputException e) {
        return error(Response.Status.BAD_REQUEST, new ApiError(describe(e)));
    }

    @ServerExceptionMapper
    public Response http(WebApplicationException e) {
        Response response = e.getResponse();
        if (e.getCause() instanceof JsonProcessingException json) {
            return error(Response.Status.BAD_REQUEST, new ApiError(describe(json)));
        }
        String detail = response.getStatusInfo().getReasonPhrase();
        if (response.getStatus() == 400 && e.getMessage() != null && !e.getMessage().startsWith("HTTP 400")) {
            detail = e.getMessage();
        }
        return Response.status(response.getStatus()).type(MediaType.APPLICATION_JSON)
                .entity(new ApiError(detail)).build();
    }

    /**
     * A request body that ended early (the client went away mid-upload, a truncated multipart body) is the
     * client's problem: a 400 and one line in the log, not a 500 with a stack trace. Other I/O failures are ours.
     */
    @ServerExceptionMapper
    public Response io(java.io.IOException e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("multipart") || message.startsWith("Connection terminated")) {
            LOG.infof("A request body ended before its end: %s", message);
            return error(Response.Status.BAD_REQUEST, new ApiError("The request body was cut off before its end"));
        }
        return unexpected(e);
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        var uploads = uploadFolder.problem();
        if (uploads.isPresent() && (e instanceof NullPointerException || causedByFileSystem(e))) {
            LOG.warn(uploads.get());
            return error(Response.Status.SERVICE_UNAVAILABLE, new ApiError(uploads.get()));
        }
        LOG.error("Unexpected failure while answering a request", e);
        return error(Response.Status.INTERNAL_SERVER_ERROR,
                new ApiError("Internal server error: the failure was logged on the server"));
    }

    private static boolean causedByFileSystem(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.nio.file.FileSystemException || t instanceof java.io.FileNotFoundException) {
                return true;
            }
        }
        return false;
    }

    static Response error(Response.Status status, ApiError body) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(body).build();
    }

    /** A short, user-facing description of a JSON problem (Jackson's own messages quote internal class names). */
    static String describe(JsonProcessingException e) {
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            String field = mapping.getPath().stream()
                    .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                    .collect(Collectors.joining("."));
            if (e instanceof InvalidFormatException || e instanceof MismatchedInputException) {
                return "Invalid value for " + field;
            }
            return "Invalid JSON at " + field;
        }
        if (e instanceof MismatchedInputException) {
            return "The body must be a JSON object with the documented fields";
        }
        if (e instanceof JsonMappingException) {
            return "The body does not match the documented fields";
        }
        // Jackson's own words quote its tokens and our class names: give the position only.
        var location = e.getLocation();
        return location == null || location.getLineNr() < 0 ? "Malformed JSON"
                : "Malformed JSON at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }
}
