using System.Globalization;
using System.Text;
using Tend.Core.Files;
using Tend.Core.Kv;

namespace Tend.Stores.Files;

/// <summary>Reads a data file's text, never more than the size limit, whatever the file claims to be.</summary>
internal static class DataFileReader
{
    /// <summary>The file's text (UTF-8, or UTF-16/32 with a byte order mark, as <see cref="File.ReadAllText(string)"/> reads it).</summary>
    /// <exception cref="FileStoreFormatException">The file is larger than <paramref name="maxBytes"/>, or not a regular file.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be read.</exception>
    public static string ReadText(string path, long maxBytes)
    {
        // A .NET string holds at most about a billion characters; no limit can read more.
        maxBytes = Math.Min(maxBytes, KvStoreOptions.LargestMaxFileSize);
        // A named pipe would block the reload forever and a device (/dev/zero) never ends: only
        // regular files are read (the check follows symlinks, as the open does).
        if (!UnixFiles.IsRegularOrMissing(path))
        {
            throw new FileStoreFormatException($"{path}: not a regular file; the file store reads regular files only");
        }

        using var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.ReadWrite | FileShare.Delete,
            BufferSize = 0,
        });
        long length = stream.CanSeek ? stream.Length : -1;
        if (length > maxBytes)
        {
            throw TooLarge(path, length, maxBytes);
        }

        // The file may grow while it is read: read at most one byte more than allowed, and refuse if it came.
        var bytes = new byte[(int)Math.Min(Math.Max(length, 0) + 1, maxBytes + 1)];
        int total = 0;
        while (true)
        {
            if (total == bytes.Length)
            {
                if (total > maxBytes)
                {
                    throw TooLarge(path, -1, maxBytes);
                }

                Array.Resize(ref bytes, (int)Math.Min((long)bytes.Length * 2, maxBytes + 1));
            }

            int n = stream.Read(bytes, total, bytes.Length - total);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        if (total > maxBytes)
        {
            throw TooLarge(path, -1, maxBytes);
        }

        using var reader = new StreamReader(new MemoryStream(bytes, 0, total, writable: false), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    private static FileStoreFormatException TooLarge(string path, long length, long maxBytes) =>
        new($"{path}: {(length >= 0 ? length.ToString("N0", CultureInfo.InvariantCulture) + " bytes is" : "the file grew")} larger than max_file_size ({maxBytes.ToString("N0", CultureInfo.InvariantCulture)} bytes in [store]); the file is not read");
}
