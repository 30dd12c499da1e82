import Foundation

/// The module's resource bundle (templates, OpenAPI document), for tests and tools.
public enum NotifierResources {
    public static var bundle: Bundle { .module }
}
