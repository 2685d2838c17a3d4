using Microsoft.Extensions.Logging;

namespace Tend.Modules.Render;

public sealed partial class RenderModule
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 500, Level = LogLevel.Information, Message = "Rendered {Id}: wrote {Destination} (revision {Revision})")]
        public static partial void Written(ILogger logger, string id, string destination, long revision);

        [LoggerMessage(EventId = 501, Level = LogLevel.Error, Message = "Render of {Id} failed, {Destination} unchanged: {Reason}")]
        public static partial void Failed(ILogger logger, string id, string destination, string reason);

        [LoggerMessage(EventId = 502, Level = LogLevel.Information, Message = "Reloaded with '{Command}' for {Ids} in {DurationMs:F0} ms")]
        public static partial void Reloaded(ILogger logger, string command, string ids, double durationMs);

        [LoggerMessage(EventId = 503, Level = LogLevel.Error, Message = "reload_cmd '{Command}' for {Ids} failed (the new file stays in place): {Reason}")]
        public static partial void ReloadFailed(ILogger logger, string command, string ids, string reason);

        [LoggerMessage(EventId = 504, Level = LogLevel.Information, Message = "noop: {Id} would change {Destination}")]
        public static partial void WouldChange(ILogger logger, string id, string destination);

        [LoggerMessage(EventId = 506, Level = LogLevel.Warning, Message = "{Id}: {Destination} was a symbolic link to {Target}; it is replaced by a regular file (Tend never writes through a link; set dest to the target to render into it)")]
        public static partial void SymlinkReplaced(ILogger logger, string id, string destination, string target);

        [LoggerMessage(EventId = 507, Level = LogLevel.Information, Message = "{Id}: removed {Path}, a file staged by a run that was stopped before it finished")]
        public static partial void StaleStageRemoved(ILogger logger, string id, string path);

        [LoggerMessage(EventId = 508, Level = LogLevel.Information, Message = "{Id}: waiting for data before rendering {Destination}: {Missing}")]
        public static partial void Waiting(ILogger logger, string id, string destination, string missing);

        [LoggerMessage(EventId = 509, Level = LogLevel.Warning, Message = "{Id}: durability = \"ordered\" cannot keep its promise in {Directory} ({Reason}); \"full\" is used there (an fsync before each rename)")]
        public static partial void OrderedNotKept(ILogger logger, string id, string directory, string reason);

        [LoggerMessage(EventId = 505, Level = LogLevel.Error, Message = "A render pass failed unexpectedly; rendering continues")]
        public static partial void PassFailed(ILogger logger, Exception exception);
    }
}
