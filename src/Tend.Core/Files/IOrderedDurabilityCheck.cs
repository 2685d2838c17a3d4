using Microsoft.Win32.SafeHandles;

namespace Tend.Core.Files;

/// <summary>Whether <see cref="FileDurability.Ordered"/> keeps its promise on the file system of an open file.</summary>
internal interface IOrderedDurabilityCheck
{
    /// <summary>Null when it does; otherwise why not, and the file is to be flushed as <see cref="FileDurability.Full"/>. Never throws.</summary>
    DurabilityFallback? Check(SafeFileHandle file);
}
