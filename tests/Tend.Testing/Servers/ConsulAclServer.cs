namespace Tend.Testing.Servers;

/// <summary>A dev agent with ACLs enabled, default deny, and <see cref="MasterToken"/> allowed everything.</summary>
public sealed class ConsulAclServer : ConsulServer
{
    public const string Token = "7c1fc3a4-5b2e-4f4c-9d8e-1a2b3c4d5e6f";

    public override string? MasterToken => Token;

    protected override IReadOnlyList<string> ExtraArgs =>
        ["-hcl", $"acl {{ enabled = true default_policy = \"deny\" enable_token_persistence = false tokens {{ master = \"{Token}\" agent = \"{Token}\" }} }}"];
}
