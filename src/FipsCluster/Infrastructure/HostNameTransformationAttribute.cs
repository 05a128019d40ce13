using System.Collections;
using System.Management.Automation;
using System.Net;
using System.Reflection;

namespace FipsCluster.Infrastructure;

/// <summary>
/// A -ComputerName that takes host names only: strings ("host", "host:port") and IP addresses, never another object's
/// ToString(). PowerShell binds a pipeline object by value first and would coerce anything to a string (a hashtable
/// became the host "System.Collections.Hashtable", a folder its path). So any other object is refused here: as an
/// invalid cast when one of the cmdlet's by-property-name parameters can take it — PowerShell's binder reads that as
/// "not by value" and binds the object by property name instead (an address property in the parameter's alias
/// order, a folder's PSPath) — and otherwise with an error that says what the cmdlet accepts.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class HostNameTransformationAttribute : ArgumentTransformationAttribute
{
    private readonly string[] _propertyNames;
    private readonly string _accepted;

    /// <param name="cmdlet">The cmdlet whose by-property-name parameters (names and aliases) may take the objects this refuses.</param>
    public HostNameTransformationAttribute(Type cmdlet)
    {
        var byPropertyName = cmdlet.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => (Property: p, Parameters: p.GetCustomAttributes<ParameterAttribute>().ToList()))
            .Where(p => p.Parameters.Any(a => a.ValueFromPipelineByPropertyName))
            .ToList();
        _propertyNames = byPropertyName
            .SelectMany(p => p.Property.GetCustomAttributes<AliasAttribute>().SelectMany(a => a.AliasNames).Prepend(p.Property.Name))
            .ToArray();
        // The message names what can be piped on its own (a mandatory parameter's property; hidden parameters by their aliases only).
        _accepted = string.Join(", ", byPropertyName.Where(p => p.Parameters.Any(a => a.Mandatory))
            .SelectMany(p => p.Property.GetCustomAttributes<AliasAttribute>().SelectMany(a => a.AliasNames)
                .Prepend(p.Parameters.All(a => a.DontShow) ? null : p.Property.Name)).OfType<string>());
    }

    public override object Transform(EngineIntrinsics engineIntrinsics, object? inputData) => Unwrap(inputData) switch
    {
        null => throw Empty(),
        string name => Checked(name),
        IPAddress address => address.ToString(),
        IEnumerable items and not IDictionary => items.Cast<object?>().Select(item => Unwrap(item) switch
        {
            null => throw Empty(),
            string name => Checked(name),
            IPAddress address => address.ToString(),
            _ => throw NotAHostName(item!),
        }).ToArray(),
        _ => throw NotAHostName(inputData!),
    };

    private static string Checked(string name) => string.IsNullOrWhiteSpace(name) ? throw Empty() : name;

    private static ArgumentTransformationMetadataException Empty() => new(
        "The host name or address is empty. A piped object binds by the first address property it has (in the order of the parameter's aliases), " +
        "and that property has no value: for example an EC2 instance that is stopped or terminated, or a node without a recorded address.");

    private ArgumentTransformationMetadataException NotAHostName(object input)
    {
        var type = Unwrap(input)!.GetType().FullName;
        var properties = PSObject.AsPSObject(input).Properties;
        if (_propertyNames.Any(name => properties[name] is not null))
        {
            // An invalid cast inside: the pipeline binder ignores it and binds the object by property name.
            var message = $"A {type} is not a host name: pipe it, and it binds by its {string.Join(" / ", _propertyNames.Where(n => properties[n] is not null))} property.";
            return new ArgumentTransformationMetadataException(message, new PSInvalidCastException(message));
        }
        return new ArgumentTransformationMetadataException(
            $"A {type} is neither a host name nor an object with an address: give host names or IP addresses as strings, or objects with one of these properties: {_accepted}.");
    }

    private static object? Unwrap(object? value) => value is PSObject ps ? ps.BaseObject : value;
}
