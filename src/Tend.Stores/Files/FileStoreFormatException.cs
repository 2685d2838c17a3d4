using Tend.Core.Kv;

namespace Tend.Stores.Files;

/// <summary>A data file of the file store could not be parsed; the message starts with <c>file:line:column</c>.</summary>
public sealed class FileStoreFormatException : KvStoreException
{
    public FileStoreFormatException()
    {
    }

    public FileStoreFormatException(string message)
        : base(message)
    {
    }

    public FileStoreFormatException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
