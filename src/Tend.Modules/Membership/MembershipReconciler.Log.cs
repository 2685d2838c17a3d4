using Microsoft.Extensions.Logging;

namespace Tend.Modules.Membership;

internal sealed partial class MembershipReconciler
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 900, Level = LogLevel.Error, Message = "membership: reading the inventory ({Inventory}) failed, nothing was changed: {Reason}")]
        public static partial void InventoryFailed(ILogger logger, string inventory, string reason);

        [LoggerMessage(EventId = 901, Level = LogLevel.Information, Message = "membership: no member answers on {Count} client URLs ({Errors})")]
        public static partial void NoAnswer(ILogger logger, int count, string errors);

        [LoggerMessage(EventId = 902, Level = LogLevel.Warning, Message = "membership: no member of {Source} answers; {File} keeps state existing (an outage or a cold start of every member, not a new cluster)")]
        public static partial void NoAnswerKeptFile(ILogger logger, string source, string file);

        [LoggerMessage(EventId = 903, Level = LogLevel.Warning, Message = "membership: removed {Name} [{Id:x16}] from the cluster: {Reason}")]
        public static partial void Removed(ILogger logger, string name, ulong id, string reason);

        [LoggerMessage(EventId = 904, Level = LogLevel.Information, Message = "membership: {Name} [{Id:x16}] was already removed (by another member's pass)")]
        public static partial void AlreadyRemoved(ILogger logger, string name, ulong id);

        [LoggerMessage(EventId = 905, Level = LogLevel.Warning, Message = "membership: added {Name} ({PeerUrls}) as {Kind} [{Id:x16}]: {Reason}")]
        public static partial void Added(ILogger logger, string name, string peerUrls, string kind, ulong id, string reason);

        [LoggerMessage(EventId = 906, Level = LogLevel.Information, Message = "membership: {Verb} {Name} waits: etcd refused it for now ({Reason}); the next pass tries again")]
        public static partial void ChangeWaits(ILogger logger, string verb, string name, string reason);

        [LoggerMessage(EventId = 907, Level = LogLevel.Information, Message = "membership: adding {Name} was refused ({Reason}); reading the member list again")]
        public static partial void AddRaced(ILogger logger, string name, string reason);

        [LoggerMessage(EventId = 908, Level = LogLevel.Warning, Message = "membership: promoted learner {Name} [{Id:x16}] to a voting member")]
        public static partial void Promoted(ILogger logger, string name, ulong id);

        [LoggerMessage(EventId = 909, Level = LogLevel.Debug, Message = "membership: learner {Name} is not caught up yet ({Reason})")]
        public static partial void PromotionWaits(ILogger logger, string name, string reason);

        [LoggerMessage(EventId = 910, Level = LogLevel.Error, Message = "membership: {Verb} {Name} failed: {Reason}")]
        public static partial void ChangeFailed(ILogger logger, string verb, string name, string reason);

        [LoggerMessage(EventId = 911, Level = LogLevel.Information, Message = "membership: wrote {File} (state {State}, {Count} peer URLs)")]
        public static partial void FileWritten(ILogger logger, string file, string state, int count);

        [LoggerMessage(EventId = 912, Level = LogLevel.Error, Message = "membership: cannot write {File}, the previous file stays: {Reason}")]
        public static partial void FileFailed(ILogger logger, string file, string reason);

        [LoggerMessage(EventId = 913, Level = LogLevel.Warning, Message = "membership: {Reason}")]
        public static partial void Withheld(ILogger logger, string reason);
    }
}
