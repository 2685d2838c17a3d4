namespace Tend.Testing.Aws;

/// <summary>How the instance-metadata double behaves.</summary>
public enum MetadataMode
{
    /// <summary>IMDSv2 required: reads without a session token get 401.</summary>
    V2Required,

    /// <summary>No IMDSv2: the token PUT gets 403 (IMDSv1 only), reads need no token.</summary>
    V1Only,
}
