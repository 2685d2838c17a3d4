namespace Tend.Modules.Membership.Inventories;

/// <summary>The inventory could not be read (metadata service, EC2 API, DNS) or contradicts itself; nothing was changed.</summary>
public sealed class MembershipInventoryException : Exception
{
    public MembershipInventoryException()
    {
    }

    public MembershipInventoryException(string message)
        : base(message)
    {
    }

    public MembershipInventoryException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
